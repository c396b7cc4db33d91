// Where the HTTP commands connect and with which token: flags, then the environment, then a config
// file. The token is only ever sent as a bearer header, never printed (not in errors either).
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './exit.js';

export interface ConnectionFlags {
  server?: string;
  token?: string;
}

export interface Connection {
  /** Base URL without a trailing slash. */
  server: string;
  token: string;
  /** Set when the config file supplied the server or the token (named in hints, never its content). */
  configFile?: string;
  /** Set when that file holds a token and others may read it. */
  warning?: string;
}

type Env = Record<string, string | undefined>;

/** `WARDEN_CONFIG`, else `$XDG_CONFIG_HOME/warden/config.json`, else `~/.config/warden/config.json`. */
export function configPath(env: Env = process.env): { path: string; explicit: boolean } {
  if (env.WARDEN_CONFIG) return { path: env.WARDEN_CONFIG, explicit: true };
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return { path: join(base, 'warden', 'config.json'), explicit: false };
}

interface ConfigFile {
  server?: string;
  token?: string;
}

/** Reads the config file: absent is fine unless named explicitly; unreadable or malformed is exit 2. */
function readConfig(env: Env): { file?: ConfigFile; path: string; warning?: string } {
  const { path, explicit } = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return { path };
    throw new CliError(EXIT.config, 'config_unreadable', `cannot read the config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message may quote the file, and the file holds the token: say only where.
    throw new CliError(EXIT.config, 'config_invalid', `the config file ${path} is not valid JSON`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(EXIT.config, 'config_invalid', `the config file ${path} must hold a JSON object`);
  const o = parsed as Record<string, unknown>;
  for (const key of ['server', 'token'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new CliError(EXIT.config, 'config_invalid', `the config file ${path}: "${key}" must be a string`);
  }
  let warning: string | undefined;
  if (typeof o.token === 'string') {
    try {
      if ((statSync(path).mode & 0o077) !== 0) warning = `warden: ${path} holds a token and others may read it: chmod 600 ${path}`;
    } catch {
      // read a moment ago; a race is not worth failing for
    }
  }
  return { file: { server: o.server as string | undefined, token: o.token as string | undefined }, path, warning };
}

/** The server and token to use, or exit 2 (no server) / 7 (no token) before anything is sent. */
export function resolveConnection(flags: ConnectionFlags, environment: Env = process.env): Connection {
  // An empty variable is an unset one (`WARDEN_URL= warden status` falls back to the config file).
  const env = Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== '')) as Env;
  const needsFile = !(flags.server ?? env.WARDEN_URL) || !(flags.token ?? env.WARDEN_TOKEN);
  const config = needsFile || env.WARDEN_CONFIG ? readConfig(env) : undefined;
  const server = flags.server ?? env.WARDEN_URL ?? config?.file?.server;
  const token = flags.token ?? env.WARDEN_TOKEN ?? config?.file?.token;
  const fromFile = (!flags.server && !env.WARDEN_URL && config?.file?.server) || (!flags.token && !env.WARDEN_TOKEN && config?.file?.token);
  if (!server) throw new CliError(EXIT.config, 'no_server', `no server: give --server, WARDEN_URL, or "server" in ${configPath(env).path}`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(EXIT.config, 'invalid_server', `not a URL: ${server}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(EXIT.config, 'invalid_server', `the server must be an http(s) URL, not ${url.protocol}`);
  if (url.username || url.password) throw new CliError(EXIT.config, 'invalid_server', 'the server URL must not carry credentials: give the token with --token, WARDEN_TOKEN or the config file');
  if (!token) throw new CliError(EXIT.unauthorized, 'no_token', `no token: give --token, WARDEN_TOKEN, or "token" in ${configPath(env).path}`);
  return {
    server: url.toString().replace(/\/+$/, ''),
    token,
    ...(fromFile ? { configFile: config!.path } : {}),
    ...(config?.warning && !flags.token && !env.WARDEN_TOKEN ? { warning: config.warning } : {}),
  };
}
