// Commander wiring for the pure gate and promotion commands. Imports neither Nest nor the database, so
// `warden policy test` and `warden gate eval` answer without booting the app.
import type { Command } from 'commander';
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
    .action((p: string, i: string, o: { json?: boolean }) => emit(policyTest(p, i, o)));
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
    .option('--json', 'print deterministic JSON')
    .action(async (o: { intent: string; policy?: string; server?: string; token?: string; simulate?: boolean; json?: boolean }) => {
      if (!o.policy === !o.server) {
        emit({ exitCode: 6, stdout: o.json ? '{"ok":false,"error":"give exactly one of --policy or --server"}\n' : 'gate eval error: give exactly one of --policy or --server\n' });
        return;
      }
      if (o.policy) return emit(gateEvalOffline({ policy: o.policy, intent: o.intent, simulate: o.simulate, json: o.json }));
      const token = o.token ?? process.env.WARDEN_TOKEN ?? '';
      emit(await gateEvalRemote({ server: o.server!, token, intent: o.intent, simulate: o.simulate, json: o.json }));
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

/** Commander usage errors (unknown option, missing argument) on the offline commands are invalid input: exit 6, as gait. */
export function exitSixOnUsageErrors(command: Command): void {
  command.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 6));
  for (const sub of command.commands) exitSixOnUsageErrors(sub);
}
