// Standalone entry for the pure gate commands (tests spawn it; usable in CI without the full CLI):
//   node dist/apps/cli/src/commands/run-offline.js policy test POLICY INTENT --json
import { Command } from 'commander';
import { exitSixOnUsageErrors, registerApproveCommand, registerGateCommands } from './register.js';

const program = new Command('warden').description('Warden gate commands (offline)');
registerGateCommands(program);
registerApproveCommand(program);
// Usage errors are invalid input: exit 6, and one JSON line with --json.
exitSixOnUsageErrors(program);
await program.parseAsync(process.argv);
