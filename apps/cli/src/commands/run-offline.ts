// Standalone entry for the pure gate commands (tests spawn it; usable in CI without the full CLI):
//   node dist/apps/cli/src/commands/run-offline.js policy test POLICY INTENT --json
import { Command } from 'commander';
import { registerGateCommands } from './register.js';

const program = new Command('warden').description('Warden gate commands (offline)').exitOverride((err) => {
  // Commander usage errors (unknown option, missing argument) are invalid input: exit 6, as gait.
  process.exit(err.exitCode === 0 ? 0 : 6);
});
registerGateCommands(program);
await program.parseAsync(process.argv);
