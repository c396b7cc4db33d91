// Commander wiring for the HTTP commands: the console's actions against a running Warden. This file
// and everything it loads use only commander, fetch and node: builtins (no Nest, no database), so
// `--help` answers at once and a command costs one process start and its requests.
import { InvalidArgumentError, Option, type Command, type CommanderError } from 'commander';
import type { WardenHttp } from './client.js';
import type { Outcome } from './output.js';
import { exitWith, parseDuration, runHttp, type CommonFlags } from './run.js';

export const HTTP_COMMANDS = ['status', 'kill-switch', 'approvals', 'engines', 'review', 'tokens', 'watch'] as const;

const EXIT_HELP = `
Server: --server, else WARDEN_URL, else "server" in the config file. Token: --token, else WARDEN_TOKEN,
else "token" in the config file (WARDEN_CONFIG, default ~/.config/warden/config.json). docs/cli.md.
Exit codes: 0 done, 1 unexpected answer, 2 configuration, 3 refused, 4 pending (not done),
5 server unavailable, 6 invalid input or usage, 7 unauthorised, 8 not found.`;

const control = () => import('./control-commands.js');
const approvals = () => import('./approval-commands.js');
const admin = () => import('./admin-commands.js');

const durationMs = (v: string) => {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

/** A leaf command with the connection options every HTTP command takes. */
function leaf(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--server <url>', 'Warden base URL (or WARDEN_URL)')
    .option('--token <token>', 'bearer token (or WARDEN_TOKEN; prefer those or the config file: arguments show in ps)')
    .option('--json', 'one JSON line: {"ok": true, ...} or {"ok": false, "error": <code>, "message": ...}')
    .addOption(new Option('--request-timeout <duration>', 'per request (e.g. 10s); default 30s').argParser(durationMs))
    .addHelpText('after', EXIT_HELP);
}

const run = async (flags: CommonFlags, fn: (http: WardenHttp) => Promise<Outcome>) => exitWith(await runHttp(flags, fn));

/** Every option an HTTP command may take (commander fills those its command declares). */
interface Flags extends CommonFlags {
  reason?: string;
  wait?: number;
  status?: string;
  kind?: string;
  limit?: string;
  week?: string;
  open?: boolean;
  since?: string;
  count?: number;
  staleAfter?: number;
  name?: string;
  role?: string;
  owner?: string;
  engine?: string[];
  domain?: string[];
  identity?: string[];
}
const waitOption = () => new Option('--wait <duration>', 'follow the approval until its act ran (e.g. 10m); still pending then: exit 4').argParser(durationMs);

export function registerHttpCommands(program: Command): void {
  leaf(program, 'status', 'the control plane at a glance: go-live, kill switch, pending approvals, disabled engines')
    .action((o: Flags) => run(o, async (h) => (await control()).status(h)));

  const kill = program.command('kill-switch').description('engage or release the kill switch (operator)').addHelpText('after', EXIT_HELP);
  leaf(kill, 'engage', 'engage: every PROD_EXEC request is refused').requiredOption('--reason <text>', 'why (required, audited)')
    .action((o: Flags) => run(o, async (h) => (await control()).killSwitch(h, 'engage', o)));
  leaf(kill, 'release', 'release; under the two-person rule this files an approval (exit 4) that another person approves')
    .requiredOption('--reason <text>', 'why (required, audited)').addOption(waitOption())
    .action((o: Flags) => run(o, async (h) => (await control()).killSwitch(h, 'release', o)));

  const ap = program.command('approvals').description('the approvals queue').addHelpText('after', EXIT_HELP);
  leaf(ap, 'list', 'approval requests, newest first (default: pending)')
    .addOption(new Option('--status <status>', 'pending | approved | rejected | expired | cancelled | all').default('pending'))
    .option('--kind <kind>', 'only this kind').option('--limit <n>', 'at most n (1-500)', '100')
    .action((o: Flags) => run(o, async (h) => (await approvals()).approvalsList(h, o)));
  leaf(ap, 'show', 'one request: what it asks for (a gate intent, a change and its diff) and the decisions so far').argument('<id>')
    .action((id: string, o: Flags) => run(o, async (h) => (await approvals()).approvalsShow(h, id)));
  leaf(ap, 'approve', 'approve (operator; never your own request); exit 4 while more approvals are needed').argument('<id>')
    .option('--reason <text>', 'why (recorded with the decision)').addOption(waitOption())
    .action((id: string, o: Flags) => run(o, async (h) => (await approvals()).approvalsDecide(h, 'approve', id, o)));
  leaf(ap, 'reject', 'reject (operator): one rejection rejects').argument('<id>').requiredOption('--reason <text>', 'why (required)')
    .action((id: string, o: Flags) => run(o, async (h) => (await approvals()).approvalsDecide(h, 'reject', id, o)));

  const en = program.command('engines').description("engines' risk policies: list, turn off, turn back on").addHelpText('after', EXIT_HELP);
  leaf(en, 'list', 'every engine policy: state, caps, why disabled')
    .action((o: Flags) => run(o, async (h) => (await control()).enginesList(h)));
  leaf(en, 'throttle', 'turn an engine off (operator): its reserves are denied naming the reason').argument('<engine>').requiredOption('--reason <text>', 'why (shown in every denial)')
    .action((engine: string, o: Flags) => run(o, async (h) => (await control()).engineThrottle(h, engine, o)));
  leaf(en, 'reenable', "turn an engine back on (operator); a tripwire's throttle under the two-person rule files an approval (exit 4)").argument('<engine>')
    .requiredOption('--reason <text>', 'why (audited)').addOption(waitOption())
    .action((engine: string, o: Flags) => run(o, async (h) => (await control()).engineReenable(h, engine, o)));

  const rv = program.command('review').description('the weekly review').addHelpText('after', EXIT_HELP);
  leaf(rv, 'show', 'the newest weekly report (or --week): what needs attention, the sections')
    .option('--week <week>', 'ISO week, e.g. 2026-W48').option('--open', 'also save its HTML page and open it ($BROWSER, else xdg-open/open)')
    .action((o: Flags) => run(o, async (h) => (await admin()).reviewShow(h, o)));

  const tk = program.command('tokens').description('API tokens over HTTP (admin); `warden token` does the same on the database').addHelpText('after', EXIT_HELP);
  const many = (v: string, prev: string[] = []) => [...prev, v];
  leaf(tk, 'create', 'create a token and print it (shown only once)').requiredOption('--name <name>', 'unique name, recorded on everything it does')
    .addOption(new Option('--role <role>', 'viewer | engine | operator | admin').choices(['viewer', 'engine', 'operator', 'admin']).makeOptionMandatory())
    .option('--owner <person>', 'the person it belongs to (approvals count persons; default: its name)')
    .option('--engine <engine>', 'bind an engine token to an engine (repeatable)', many).option('--domain <domain>', 'bind to a domain (repeatable)', many)
    .option('--identity <identity>', 'a gate identity it may claim (repeatable)', many)
    .action((o: Flags) => run(o, async (h) => (await admin()).tokensCreate(h, { ...o, name: o.name!, role: o.role! })));
  leaf(tk, 'list', 'every token (never their values)').action((o: Flags) => run(o, async (h) => (await admin()).tokensList(h)));
  leaf(tk, 'revoke', 'revoke a token: every instance refuses it at once').argument('<id>').option('--reason <text>', 'why')
    .action((id: string, o: Flags) => run(o, async (h) => (await admin()).tokensRevoke(h, id, o)));

  leaf(program, 'watch', 'tail the control-state stream: a snapshot, then one line per change; resumes across drops')
    .option('--since <event-id>', 'resume after this event id (no snapshot)')
    .addOption(new Option('--count <n>', 'exit 0 after n change events').argParser((v) => {
      if (!/^[1-9]\d*$/.test(v)) throw new InvalidArgumentError('must be a positive integer');
      return Number(v);
    }))
    .addOption(new Option('--stale-after <duration>', 'silence after which the stream counts as dead and is reopened; default 15s').argParser(durationMs))
    .action((o: Flags) => run(o, async (h) => (await import('./watch-command.js')).watch(h, o)));
}

/**
 * Usage errors (unknown option, missing argument or flag) are invalid input: exit 6, as the offline
 * commands. With --json the error is the one JSON line every HTTP failure prints.
 */
export function httpUsageErrors(command: Command, argv: readonly string[] = process.argv): void {
  const json = argv.includes('--json');
  command.configureOutput({
    writeOut: (t) => process.stdout.write(t),
    writeErr: (t) => {
      if (!json) process.stderr.write(t);
    },
  });
  command.exitOverride((err: CommanderError) => {
    if (err.exitCode === 0) return process.exit(0);
    // Pipes and files are written synchronously on Linux (as the offline commands rely on).
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: 'usage_error', message: err.message.replace(/^error: /, '') })}\n`);
    return process.exit(6);
  });
  for (const sub of command.commands) httpUsageErrors(sub, argv);
}
