import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { Role } from '#platform';
import { exitSixOnUsageErrors, registerApproveCommand, registerChangeCommands, registerGateCommands, registerPromotionCommands } from './commands/register.js';
import { HTTP_COMMANDS, httpUsageErrors, registerHttpCommands } from './http/register.js';

// Only commander and node: builtins load up front, so `warden --help`, `--version` and commander's
// own usage errors answer in a fraction of a second. Each action imports ./commands.js (Nest,
// TypeORM, the platform: about a second idle, several on a loaded machine) only when it runs.
const commands = () => import('./commands.js');

// Kept here rather than imported from the platform (which would load Nest). The check below fails
// to compile if the platform's roles and this list ever differ.
const ROLES = ['viewer', 'engine', 'operator', 'admin'] as const satisfies readonly Role[];
const _sameRoles: Exclude<Role, (typeof ROLES)[number]> extends never ? true : never = true;
void _sameRoles;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const upper = (v: string, prev: string[] = []) => [...prev, v.trim().toUpperCase()];

const program = new Command('warden').description('Warden governance control plane CLI').version(version()).showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => (await commands()).migrate());

program
  .command('seed')
  .description('insert reference data (policies) that is missing; never overwrites changes')
  .action(async () => (await commands()).seed());

const token = program.command('token').description('manage API tokens');

token
  .command('create')
  .description('create a token and print it (shown only once)')
  .addOption(new Option('--role <role>', 'viewer | engine | operator | admin').choices(ROLES).makeOptionMandatory())
  .option('--name <name>', 'principal name recorded on everything the token does')
  .option('--engine <engine>', 'bind to an engine (repeatable)', upper)
  .option('--domain <domain>', 'bind to a domain (repeatable)', upper)
  .option('--json', 'print JSON')
  .action(async (opts: { role: Role; name?: string; engine?: string[]; domain?: string[]; json?: boolean }) => (await commands()).tokenCreate(opts));

token
  .command('revoke <id>')
  .description('revoke a token by id')
  .option('--reason <reason>', 'why')
  .action(async (id: string, opts: { reason?: string }) => (await commands()).tokenRevoke(id, opts));

token
  .command('list')
  .description('list tokens (never their values)')
  .action(async () => (await commands()).tokenList());

program
  .command('audit')
  .description('the audit record')
  .command('verify')
  .description('check every hash chain and the state journal (exit 0 intact, 3 broken)')
  .option('--database-url <url>', 'the database to check (default DATABASE_URL, else the embedded one)')
  .option('--checkpoint <file>', 'published heads ([{log, rows, head_hash}]): each chain must pass through them')
  .option('--json', 'print JSON')
  .action(async (opts: { databaseUrl?: string; checkpoint?: string; json?: boolean }) => (await import('./audit-commands.js')).auditVerify(opts));

// Pure commands: no Nest, no database, answered offline.
registerGateCommands(program);
registerPromotionCommands(program);
registerApproveCommand(program);
registerChangeCommands(program);
for (const name of ['policy', 'gate', 'promotion', 'approve', 'change']) exitSixOnUsageErrors(program.commands.find((c) => c.name() === name)!);
// Over HTTP (docs/cli.md): the console's actions against a running Warden; fetch only, no Nest.
registerHttpCommands(program);
for (const name of HTTP_COMMANDS) httpUsageErrors(program.commands.find((c) => c.name() === name)!);

program.parseAsync(process.argv).catch(async (err: unknown) => {
  console.error(`warden: ${(err as { message?: string }).message ?? String(err)}`);
  process.exit((await commands()).exitCodeFor(err));
});
