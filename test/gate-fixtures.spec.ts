// Stage 0 of the staged rollout: the policy fixtures in examples/policy give the expected
// verdicts, reason codes and exit codes through the CLI command functions, offline.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gateEvalOffline } from '../apps/cli/src/commands/gate-commands.js';
import { policyTest, policyValidate } from '../apps/cli/src/commands/policy-commands.js';
import { buildDist } from './support/build.js';

const dir = join(process.cwd(), 'examples/policy');

/** Bare specifiers reachable by static imports from a compiled file (relative and #gate followed). */
function externalImports(file: string, seen = new Set<string>(), out = new Set<string>()): string[] {
  if (seen.has(file)) return [...out].sort();
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
    const spec = m[1];
    if (spec.startsWith('.')) externalImports(join(dirname(file), spec), seen, out);
    else if (spec === '#gate' || spec === '#promotion') externalImports(`dist/libs/${spec.slice(1)}/src/index.js`, seen, out);
    else out.add(spec);
  }
  return [...out].sort();
}
const policyPath = (p: string) => join(dir, p);
const intentPath = (i: string) => join(dir, 'intents', i);

interface Case {
  policy: string;
  intent: string;
  verdict?: string;
  reason_codes?: string[];
  matched_rule?: string;
  required_approvals?: number;
  require_distinct_approvers?: boolean;
  exit_code: number;
  simulated_verdict?: string;
  would_have_blocked?: boolean;
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { cases: Case[]; simulate: Case[]; validate: { policy: string; exit_code: number }[] };

describe('examples/policy fixtures (staged rollout Stage 0)', () => {
  it.each(expected.cases.map((c) => [`${c.policy} x ${c.intent}`, c] as const))('policy test %s', (_name, c) => {
    const first = policyTest(policyPath(c.policy), intentPath(c.intent), { json: true });
    expect(first.exitCode).toBe(c.exit_code);
    // deterministic: the same bytes twice
    expect(policyTest(policyPath(c.policy), intentPath(c.intent), { json: true }).stdout).toBe(first.stdout);
    const out = JSON.parse(first.stdout) as Record<string, unknown>;
    if (c.exit_code === 6) {
      expect(out).toEqual({ ok: false, error: expect.any(String) });
      return;
    }
    expect(out.ok).toBe(true);
    expect(out.verdict).toBe(c.verdict);
    expect(out.reason_codes).toEqual(c.reason_codes);
    expect(out.matched_rule).toBe(c.matched_rule);
    expect(out.required_approvals).toBe(c.required_approvals);
    expect(out.require_distinct_approvers).toBe(c.require_distinct_approvers);
    expect(out.policy_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(out.intent_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(out.trace_id).toMatch(/^[0-9a-f]{24}$/);
    // gate eval agrees with policy test on verdict, reasons, digests and exit code; as gait's gate
    // eval, a require_approval without an approval token also says so (approval_token_missing)
    const evalOut = gateEvalOffline({ policy: policyPath(c.policy), intent: intentPath(c.intent), json: true });
    expect(evalOut.exitCode).toBe(c.exit_code);
    const e = JSON.parse(evalOut.stdout) as Record<string, unknown>;
    const reasons = c.verdict === 'require_approval' ? [...(out.reason_codes as string[]), 'approval_token_missing'].sort() : out.reason_codes;
    expect([e.verdict, e.reason_codes, e.policy_digest, e.intent_digest, e.trace_id]).toEqual([out.verdict, reasons, out.policy_digest, out.intent_digest, out.trace_id]);
  });

  it.each(expected.simulate.map((c) => [`${c.policy} x ${c.intent}`, c] as const))('gate eval --simulate %s never blocks', (_name, c) => {
    const r = gateEvalOffline({ policy: policyPath(c.policy), intent: intentPath(c.intent), simulate: true, json: true });
    expect(r.exitCode).toBe(c.exit_code);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.verdict).toBe(c.verdict);
    expect(out.simulate_mode).toBe(true);
    expect(out.simulated_verdict).toBe(c.simulated_verdict);
    expect(out.would_have_blocked ?? false).toBe(c.would_have_blocked); // omitempty, as gait
    expect(out.reason_codes).toContain('simulate_mode_non_enforcing');
    if (c.would_have_blocked) {
      expect(out.reason_codes).toContain(`simulated_${c.simulated_verdict}`);
      expect(out.violations).toBeUndefined();
    }
  });

  it.each(expected.validate.map((c) => [c.policy, c] as const))('policy validate %s', (_name, c) => {
    const r = policyValidate(policyPath(c.policy), { json: true });
    expect(r.exitCode).toBe(c.exit_code);
    expect(JSON.parse(r.stdout).ok).toBe(c.exit_code === 0);
  });

  it('a missing file is invalid input (exit 6), text and JSON', () => {
    expect(policyTest(policyPath('nope.yaml'), intentPath('intent_read.json')).exitCode).toBe(6);
    expect(gateEvalOffline({ policy: policyPath('base_low_risk.yaml'), intent: intentPath('nope.json'), json: true }).stdout).toMatch(/^\{"ok":false,"error":"read intent/);
  });

  describe('spawned, without Nest', () => {
    beforeAll(() => buildDist());
    const run = promisify(execFile);
    const entry = 'dist/apps/cli/src/commands/run-offline.js';
    const spawn = async (...args: string[]) => {
      try {
        const { stdout } = await run(process.execPath, [entry, ...args]);
        return { code: 0, stdout };
      } catch (e) {
        const err = e as { code: number; stdout: string };
        return { code: err.code, stdout: err.stdout };
      }
    };

    it('policy test prints the same JSON and exit code as the function, and --help loads no Nest', async () => {
      const r = await spawn('policy', 'test', policyPath('base_high_risk.yaml'), intentPath('intent_write.json'), '--json');
      expect(r.code).toBe(4);
      expect(r.stdout).toBe(policyTest(policyPath('base_high_risk.yaml'), intentPath('intent_write.json'), { json: true }).stdout);
      expect((await spawn('gate', 'eval', '--policy', policyPath('base_high_risk.yaml'), '--intent', intentPath('intent_delete.json'))).code).toBe(3);
      expect((await spawn('gate', 'eval', '--intent', intentPath('intent_read.json'))).code).toBe(6);
      expect((await spawn('--help')).code).toBe(0);
      // the entry's static module graph (the gate and promotion commands) reaches no Nest, TypeORM or platform code: only these packages
      expect(externalImports(entry)).toEqual(['@marcbachmann/cel-js', 'canonicalize', 'commander', 'node:crypto', 'node:fs', 'node:fs/promises', 'node:path', 'yaml']);
    });
  });
});
