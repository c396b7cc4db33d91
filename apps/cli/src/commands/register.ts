// Commander wiring for the pure gate commands. Imports neither Nest nor the database, so
// `warden policy test` and `warden gate eval` answer without booting the app.
import type { Command } from 'commander';
import { gateEvalOffline, gateEvalRemote } from './gate-commands.js';
import type { CommandResult } from './output.js';
import { policyTest, policyValidate } from './policy-commands.js';

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
