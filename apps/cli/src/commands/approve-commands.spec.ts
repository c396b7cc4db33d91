import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { approvalTokenId, digestJcs, generateKeys } from '#gate';
import { approve, type ApproveOptions } from './approve-commands.js';
import { gateEvalOffline, type GateEvalOfflineOptions } from './gate-commands.js';
import { policyTest } from './policy-commands.js';
import { exitSixOnUsageErrors, registerApproveCommand, registerGateCommands } from './register.js';
import { GAIT_SEED_FILES, materialize } from '../../../../test/support/parity-vectors.js';

const G = join(materialize(GAIT_SEED_FILES), 'examples/policy');
const HIGH = join(G, 'base_high_risk.yaml'); // tool.write: require_approval, 2 distinct approvers
const LOW = join(G, 'base_low_risk.yaml'); // tool.write: require_approval, 1 approval
const WRITE = join(G, 'intents/intent_write.json');
const digests = (policy: string) => JSON.parse(policyTest(policy, WRITE, { json: true }).stdout) as { intent_digest: string; policy_digest: string };

describe('gait approval tokens: warden approve and gate eval --approval-token', () => {
  let dir: string;
  let keyFile: string;
  let pubFile: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-approve-'));
    const k = generateKeys();
    keyFile = join(dir, 'approver.key');
    pubFile = join(dir, 'approver.pub');
    await writeFile(keyFile, `${k.privateKeyBase64}\n`);
    await writeFile(pubFile, k.publicKeyBase64);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const mint = (policy: string, over: Partial<ApproveOptions> = {}) => {
    const d = digests(policy);
    const out = join(dir, `t${n++}.json`);
    const r = approve({ intentDigest: d.intent_digest, policyDigest: d.policy_digest, ttl: '1h', scope: 'tool:tool.write', approver: 'alice', reasonCode: 'change_ok', privateKey: keyFile, out, json: true, ...over });
    return { ...r, out, body: JSON.parse(r.stdout) as Record<string, unknown> };
  };
  const evalWith = (policy: string, o: Partial<GateEvalOfflineOptions>) => {
    const r = gateEvalOffline({ policy, intent: WRITE, json: true, approvalPublicKey: pubFile, ...o });
    return { exitCode: r.exitCode, body: JSON.parse(r.stdout) as Record<string, unknown> };
  };

  it('a token signed with a key file: gait’s file shape, token_id and signed_digest as gait computes them, and it grants', async () => {
    const m = mint(LOW);
    expect(m.exitCode).toBe(0);
    const token = JSON.parse(await readFile(m.out, 'utf8')) as Record<string, unknown> & { signature: Record<string, string> };
    expect(Object.keys(token)).toEqual(['schema_id', 'schema_version', 'created_at', 'producer_version', 'token_id', 'approver_identity', 'reason_code', 'intent_digest', 'policy_digest', 'scope', 'expires_at', 'signature']);
    expect(token.schema_id).toBe('gait.gate.approval_token');
    const d = digests(LOW);
    expect(token.token_id).toBe(approvalTokenId(d.intent_digest, d.policy_digest, 'alice', 'change_ok', ['tool:tool.write'], token.expires_at as string));
    const { signature, ...signable } = token;
    expect(signature.signed_digest).toBe(digestJcs(signable));
    expect(signature.alg).toBe('ed25519');
    expect(m.body).toMatchObject({ ok: true, token_id: token.token_id, token_path: m.out, scope: ['tool:tool.write'], key_id: signature.key_id });
    expect(m.body.public_key).toBeUndefined();

    const r = evalWith(LOW, { approvalToken: m.out });
    expect(r.exitCode).toBe(0);
    expect(r.body).toMatchObject({ verdict: 'allow', reason_codes: ['approval_granted', 'approval_required_for_write'], approval_ref: token.token_id, required_approvals: 1, valid_approvals: 1 });
    // the trace id is gait's for the final verdict
    expect(r.body.trace_id).not.toBe(JSON.parse(gateEvalOffline({ policy: LOW, intent: WRITE, json: true }).stdout).trace_id);
  });

  it('round trip of a token made by warden approve without a key (dev mode): its printed public key verifies it', async () => {
    const m = mint(LOW, { privateKey: undefined });
    expect(m.body.warnings).toEqual(['dev mode: ephemeral keypair generated; signatures will not verify across machines']);
    const pub = join(dir, 'dev.pub');
    await writeFile(pub, String(m.body.public_key));
    expect(evalWith(LOW, { approvalToken: m.out, approvalPublicKey: pub }).body.verdict).toBe('allow');
    // verified against another key: gait's signature code
    expect(evalWith(LOW, { approvalToken: m.out }).body.reason_codes).toContain('approval_token_signature_invalid');
  });

  it('a chain: too few valid tokens, then the same approver twice, then two distinct approvers', () => {
    const a = mint(HIGH).out;
    const one = evalWith(HIGH, { approvalToken: a });
    expect([one.exitCode, one.body.verdict, one.body.reason_codes, one.body.violations]).toEqual([4, 'require_approval', ['approval_chain_insufficient', 'approval_distinct_approvers_required', 'approval_required_for_write'], ['approval_not_granted', 'approval_required']]);
    const a2 = mint(HIGH, { reasonCode: 'again' }).out;
    const same = evalWith(HIGH, { approvalToken: a, approvalTokenChain: a2 });
    expect([same.exitCode, same.body.reason_codes, same.body.valid_approvals]).toEqual([4, ['approval_distinct_approvers_required', 'approval_required_for_write'], 2]);
    const b = mint(HIGH, { approver: 'bob' }).out;
    const two = evalWith(HIGH, { approvalTokenChain: `${a},${b}` });
    expect([two.exitCode, two.body.verdict, two.body.required_approvals, two.body.valid_approvals]).toEqual([0, 'allow', 2, 2]);
    expect(String(two.body.approval_ref).split(',')).toHaveLength(2);
  });

  it('without a token: approval_token_missing and approval_not_granted, exit 4', () => {
    const r = evalWith(LOW, {});
    expect([r.exitCode, r.body.reason_codes, r.body.violations]).toEqual([4, ['approval_required_for_write', 'approval_token_missing'], ['approval_not_granted', 'approval_required']]);
  });

  it.each<[string, () => Promise<string> | string, Partial<GateEvalOfflineOptions>]>([
    ['approval_token_intent_mismatch', () => mint(LOW, { intentDigest: 'a'.repeat(64) }).out, {}],
    ['approval_token_policy_mismatch', () => mint(LOW, { policyDigest: 'b'.repeat(64) }).out, {}],
    ['approval_token_scope_mismatch', () => mint(LOW, { scope: 'tool:tool.read' }).out, {}],
    ['approval_token_expired', () => mint(LOW, { ttl: '1m', now: new Date(Date.now() - 120_000) }).out, {}],
    ['approval_token_signature_invalid', () => mint(LOW).out, { approvalPublicKey: undefined }],
    ['approval_token_signature_missing', async () => stripped('signature'), {}],
    ['approval_token_signature_invalid', async () => tampered(), {}],
    ['approval_token_invalid', async () => stripped('approver_identity'), {}],
  ])('%s', async (code, make, over) => {
    const path = await make();
    const r = evalWith(LOW, { approvalToken: path, ...over });
    expect([r.exitCode, r.body.verdict]).toEqual([4, 'require_approval']);
    expect(r.body.reason_codes).toEqual(['approval_chain_insufficient', 'approval_required_for_write', code].sort());
  });

  async function stripped(field: string): Promise<string> {
    const m = mint(LOW);
    const t = JSON.parse(await readFile(m.out, 'utf8')) as Record<string, unknown>;
    delete t[field];
    await writeFile(m.out, JSON.stringify(t));
    return m.out;
  }
  async function tampered(): Promise<string> {
    const m = mint(LOW);
    const t = JSON.parse(await readFile(m.out, 'utf8')) as Record<string, unknown>;
    t.reason_code = 'something_else';
    await writeFile(m.out, JSON.stringify(t));
    return m.out;
  }

  it('an unreadable token file, a bad ttl, a missing scope: invalid input, exit 6', () => {
    expect(evalWith(LOW, { approvalToken: join(dir, 'missing.json') }).exitCode).toBe(6);
    expect(mint(LOW, { ttl: 'soon' }).body).toEqual({ ok: false, error: 'invalid --ttl, expected positive duration' });
    expect(mint(LOW, { scope: ' , ' }).exitCode).toBe(6);
    expect(mint(LOW, { keyMode: 'dev' }).body.error).toBe('dev mode does not accept explicit key sources');
  });
});

describe('usage errors are JSON with --json (exit 6)', () => {
  const parse = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command('warden');
    registerGateCommands(program);
    registerApproveCommand(program);
    exitSixOnUsageErrors(program, {
      argv: ['node', 'warden', ...argv],
      write: (t) => void out.push(t),
      writeErr: (t) => void err.push(t),
      exit: (code) => {
        throw Object.assign(new Error('exit'), { code });
      },
    });
    try {
      await program.parseAsync(argv, { from: 'user' });
      return { code: null, out: out.join(''), err: err.join('') };
    } catch (e) {
      return { code: (e as { code: number }).code, out: out.join(''), err: err.join('') };
    }
  };

  it.each([
    ['a missing argument', ['policy', 'test', 'only-one.yaml', '--json'], "missing required argument 'intent'"],
    ['too many arguments', ['policy', 'validate', 'a.yaml', 'b.yaml', '--json'], 'too many arguments'],
    ['a missing flag', ['gate', 'eval', '--policy', 'p.yaml', '--json'], "required option '--intent <path>' not specified"],
    ['an unknown flag', ['gate', 'eval', '--intent', 'i.json', '--bogus', '--json'], "unknown option '--bogus'"],
    ['approve without its flags', ['approve', '--json'], "required option '--intent-digest <sha256>' not specified"],
  ])('%s', async (_what, argv, message) => {
    const r = await parse(argv);
    expect(r.code).toBe(6);
    const body = JSON.parse(r.out) as { ok: boolean; error: string };
    expect(body.ok).toBe(false);
    expect(body.error).toContain(message);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.err).toBe('');
  });

  it('without --json, commander’s text on stderr, still exit 6', async () => {
    const r = await parse(['policy', 'test', 'only-one.yaml']);
    expect([r.code, r.out]).toEqual([6, '']);
    expect(r.err).toContain("missing required argument 'intent'");
  });
});
