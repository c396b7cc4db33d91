// Runs one HTTP command: resolves the connection, calls it, prints, and exits with its code once
// the output is flushed (an idle keep-alive socket must not hold the process).
import { WardenHttp } from './client.js';
import { CliError, EXIT } from './exit.js';
import { print, printError, type Outcome, type Printed } from './output.js';
import { resolveConnection, type ConnectionFlags } from './settings.js';

export interface CommonFlags extends ConnectionFlags {
  json?: boolean;
  /** Per request, in ms (commander parses it). */
  requestTimeout?: number;
}

/** The outcome of `fn` against the configured server, or the failure, as text. */
export async function runHttp(flags: CommonFlags, fn: (http: WardenHttp) => Promise<Outcome>, env = process.env): Promise<Printed & { warning?: string }> {
  let warning: string | undefined;
  try {
    const connection = resolveConnection(flags, env);
    warning = connection.warning;
    const out = print(await fn(new WardenHttp(connection, { timeoutMs: flags.requestTimeout })), flags.json === true);
    return { ...out, warning };
  } catch (e) {
    return { ...printError(e, flags.json === true), warning };
  }
}

export function exitWith(p: Printed & { warning?: string }): void {
  if (p.warning) process.stderr.write(`${p.warning}\n`);
  if (p.stderr) process.stderr.write(p.stderr);
  // An empty write may never call back: exit at once when there is nothing to flush.
  if (!p.stdout) return process.exit(p.exitCode);
  process.stdout.write(p.stdout, () => process.exit(p.exitCode));
}

/** Input a command checks itself before sending anything: exit 6. */
export const invalidInput = (message: string) => new CliError(EXIT.invalid, 'invalid_input', message);

/** `30s`, `5m`, `1h`, `500ms`, or plain seconds → ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw invalidInput(`not a duration: ${text} (e.g. 30s, 5m, 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
