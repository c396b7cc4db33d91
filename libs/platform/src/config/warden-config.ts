import { customCleanEnv, EnvError, makeExactValidator, makeValidator } from 'envalid';
import type { Role } from '../auth/principal.js';
import { claimName, clientId, clientSecret, issuerUrl, oidcSettings, type OidcSettings, publicUrl, roleMapping, scopes } from './oidc-config.js';
import { redactUrl } from './redact.js';

/**
 * Warden's configuration, read once from the environment and validated at start (envalid):
 * a bad variable stops the process with a message naming it. Secrets are never echoed back.
 */
export class WardenConfig {
  PORT = 3000;
  HOST = '127.0.0.1';
  DATABASE_URL?: string;
  /** The schema owner for migrations and seeds, beside DATABASE_URL's DML-only role (docs/database.md). */
  DATABASE_MIGRATION_URL?: string;
  WARDEN_DATA_DIR = '.warden';
  WARDEN_BOOTSTRAP_TOKEN?: string;
  ENV: 'development' | 'production' = 'development';
  GO_LIVE_ENFORCE = false;
  /** How old the cached go-live row may be before PROD_EXEC must re-read it or fail closed. */
  GO_LIVE_CACHE_BOUND_MS = 2000;
  /** Checklist items an operator must attest (PUT /go-live/checklist/{item}) before go-live. */
  GO_LIVE_REQUIRED_ATTESTATIONS: string[] = [];
  LOG_LEVEL = 'info';
  JOBS_ENABLED = true;
  JOB_TICK_MS = 30000;
  DB_POOL_SIZE = 10;
  /**
   * Database timeouts (docs/failure-modes.md). The defaults keep a request against a hung database
   * inside the go-live staleness bound (2 s): pool acquisition 500 + statement 1000 + the client's
   * grace 250 = 1.75 s before it answers 503 governance_unavailable.
   */
  DB_STATEMENT_TIMEOUT_MS = 1000;
  DB_LOCK_TIMEOUT_MS = 500;
  DB_CONNECT_TIMEOUT_MS = 3000;
  DB_POOL_ACQUIRE_TIMEOUT_MS = 500;
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 5000;

  /** Where the notification outbox POSTs (comma-separated http(s) URLs); none = notifications off. */
  WARDEN_WEBHOOK_URLS: string[] = [];
  /**
   * When set, each webhook POST carries `X-Warden-Timestamp: <unix seconds>` and
   * `X-Warden-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` (docs/approvals.md).
   */
  WARDEN_WEBHOOK_SECRET = '';
  /**
   * Which notification topics are written to the outbox: a comma list of topics (`gate.blocked`) and
   * prefixes (`gate.*`, `approval.*`; `*` is every topic). Unset: every topic. A topic left out is not
   * written at all, so a busy gate need not flood a channel (docs/gate.md, notifications).
   */
  WARDEN_WEBHOOK_TOPICS?: string[];
  /**
   * A delivery is dead-lettered (kept, shown, replayable; no longer retried) after this many failed
   * attempts or once its first attempt is this old, whichever comes first. With the backoff
   * (1 s doubling, capped at 5 min) 50 attempts span about 3.5 h of a dead receiver; the age bound
   * catches the time Warden itself was down.
   */
  WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS = 50;
  WARDEN_WEBHOOK_DEAD_AFTER_SECONDS = 24 * 3600;
  /** Pending approval requests one requester may have open at once; beyond it 429 too_many_pending_approvals. */
  WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER = 20;
  /** HMAC key of signed promotion overrides (docs/promotion-review.md); unset = every override is refused. A secret. */
  WARDEN_OVERRIDE_KEY?: string;
  /**
   * A Friday promote whose forecast fails (the foresight gate, docs/promotion-review.md) becomes
   * `borderline`, filed for a borderline review; off: `pilot`, as menace does with no review bucket.
   */
  WARDEN_PROMOTION_BORDERLINE_REVIEW = true;
  /**
   * Acts that need a second operator's approval (docs/approvals.md "Two-person rule"): a comma list
   * of act names, or `none`. Unset: every two-person act in production, none in development. The
   * acts are the levers' (registered with approvals), so the approvals module checks the names at
   * start; here only the spelling is checked.
   */
  WARDEN_TWO_PERSON?: string[];
  /**
   * Controls whose changes become change requests, applied on another person's approval
   * (docs/approvals.md "Change requests"): a comma list of control names (`risk.policy`,
   * `gate.policy`, ...), `all`, or `none`. Unset: every change-request control in production, none
   * elsewhere. The controls are the levers' (declared on their acts), so the approvals module checks
   * the names at start; here only the spelling is checked. `all` is kept as `['*']`.
   */
  WARDEN_CHANGE_REQUESTS?: string[];
  /** A console session unused this long is dead server-side, whatever its cookie says (docs/console.md). */
  WARDEN_SESSION_IDLE_MINUTES = 30;
  /** Live console sessions per person (a token's owner, or an SSO subject); signing in once more revokes the oldest. */
  WARDEN_SESSION_MAX_PER_PERSON = 5;
  /** The control-state stream (docs/stream.md): at most this long between two writes to a subscriber. */
  WARDEN_STREAM_HEARTBEAT_MS = 5000;
  /** Stream subscribers one instance holds at once; beyond it 503 stream_capacity (the client retries elsewhere or later). */
  WARDEN_STREAM_MAX_SUBSCRIBERS = 5000;
  /** How long the stream's log keeps an event: a client away longer gets a fresh snapshot on resume. */
  WARDEN_STREAM_RETENTION_HOURS = 24;
  /** Where people reach Warden (`https://warden.example.com`); the OIDC redirect URI is built on it. */
  WARDEN_PUBLIC_URL?: string;
  /** Console sign-in through an OpenID provider (docs/auth.md, "Single sign-on"): all or none of these. */
  WARDEN_OIDC_ISSUER?: string;
  WARDEN_OIDC_CLIENT_ID?: string;
  /** A secret: never logged. */
  WARDEN_OIDC_CLIENT_SECRET?: string;
  /** The ID token or userinfo claim holding the person's groups. */
  WARDEN_OIDC_ROLE_CLAIM = 'groups';
  /** Group → role (`warden-admins=admin,warden-ops=operator`); a person in no mapped group cannot sign in. */
  WARDEN_OIDC_ROLES?: Record<string, Role>;
  WARDEN_OIDC_SCOPES = 'openid profile email';
  /** Built at load from the variables above; null: OIDC sign-in is off. */
  oidc: OidcSettings | null = null;

  /** Whether `act` (a registered two-person act) waits for a second operator's approval. */
  twoPerson(act: string): boolean {
    return this.WARDEN_TWO_PERSON === undefined ? this.ENV === 'production' : this.WARDEN_TWO_PERSON.includes(act);
  }

  /** Whether changes to `control` (a registered change-request control) wait for another person's approval. */
  changeRequests(control: string): boolean {
    const listed = this.WARDEN_CHANGE_REQUESTS;
    return listed === undefined ? this.ENV === 'production' : listed.includes('*') || listed.includes(control);
  }

  get goLiveEnforced(): boolean {
    return this.ENV === 'production' || this.GO_LIVE_ENFORCE;
  }
}

export class ConfigError extends Error {}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** 1/0, true/false, yes/no, on/off in any case; anything else is an error (never "non-empty means true"). */
const flag = makeExactValidator<boolean>((input) => {
  const value = String(input).trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new EnvError(`must be one of 1/0, true/false, yes/no, on/off (got "${String(input)}")`);
});

/** An integer in [min, max], written as plain decimal digits. */
function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return makeValidator<number>((input) => {
    if (!/^\d+$/.test(input.trim())) throw new EnvError(`must be an integer (got "${input}")`);
    const value = Number(input.trim());
    if (value < min || value > max) throw new EnvError(`must be between ${min} and ${max} (got ${value})`);
    return value;
  });
}

function oneOf<T extends string>(choices: readonly T[]) {
  return makeValidator<T>((input) => {
    if (!(choices as readonly string[]).includes(input)) throw new EnvError(`must be one of ${choices.join(', ')} (got "${input}")`);
    return input as T;
  });
}

const text = makeValidator<string>((input) => input);

/** The URL is checked, and only ever shown with its password replaced by ***. */
const databaseUrl = makeValidator<string>((input) => {
  if (!/^postgres(ql)?:\/\//.test(input)) throw new EnvError(`must be a postgres:// URL (got "${redactUrl(input)}")`);
  try {
    new URL(input);
  } catch {
    throw new EnvError(`is not a valid URL (got "${redactUrl(input)}")`);
  }
  return input;
});

/** A secret: its value never appears in a message, only what is wrong with it. */
const bootstrapToken = makeValidator<string>((input) => {
  if (input.length < 16) throw new EnvError(`must be at least 16 characters (got ${input.length})`);
  return input;
});

/** A secret (menace strips the key file's whitespace, so a blank key is no key): only what is wrong is said. */
const overrideKey = makeValidator<string>((input) => {
  if (input.trim().length === 0) throw new EnvError('must not be blank');
  return input;
});

const attestations = makeValidator<string[]>((input) => {
  const items = input.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !/^[a-z0-9_]{1,64}$/.test(i));
  if (bad.length) throw new EnvError(`items must match [a-z0-9_]{1,64} (got ${bad.map((b) => JSON.stringify(b)).join(', ')})`);
  return items;
});

const webhookUrls = makeValidator<string[]>((input) => {
  const urls = input.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = urls.filter((u) => !/^https?:\/\/\S+$/.test(u));
  if (bad.length) throw new EnvError(`must be comma-separated http(s) URLs (got ${bad.map((b) => JSON.stringify(redactUrl(b))).join(', ')})`);
  return urls;
});

/** Topics and `prefix.*` patterns, dotted lower case; `*` alone matches every topic. */
const webhookTopics = makeValidator<string[]>((input) => {
  const items = input.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => i !== '*' && !/^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$/.test(i));
  if (bad.length) throw new EnvError(`items must be topics (gate.blocked) or prefixes (gate.*) (got ${bad.map((b) => JSON.stringify(b)).join(', ')})`);
  if (!items.length) throw new EnvError('must name at least one topic or prefix (leave it unset for every topic)');
  return items;
});

/** `none` or a comma list of act names; whether each names a registered act is checked by the approvals module at start. */
const twoPersonActs = makeValidator<string[]>((input) => {
  if (input.trim().toLowerCase() === 'none') return [];
  const acts = input.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = acts.filter((a) => !/^[a-z][a-z0-9_]{0,63}$/.test(a));
  if (bad.length || acts.length === 0) throw new EnvError(`must be none or a comma list of act names (got "${input}")`);
  return acts;
});

/** `none`, `all`, or a comma list of control names (dotted lower case); the approvals module checks each names a registered control. */
const changeRequestControls = makeValidator<string[]>((input) => {
  const value = input.trim().toLowerCase();
  if (value === 'none') return [];
  if (value === 'all') return ['*'];
  const controls = input.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = controls.filter((c) => !/^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63})*$/.test(c));
  if (bad.length || controls.length === 0) throw new EnvError(`must be none, all or a comma list of control names such as risk.policy (got "${input}")`);
  return controls;
});

const defaults = new WardenConfig();

const SPECS = {
  PORT: int(0, 65535)({ default: defaults.PORT }),
  HOST: text({ default: defaults.HOST }),
  DATABASE_URL: databaseUrl({ default: undefined }),
  DATABASE_MIGRATION_URL: databaseUrl({ default: undefined }),
  WARDEN_DATA_DIR: text({ default: defaults.WARDEN_DATA_DIR }),
  WARDEN_BOOTSTRAP_TOKEN: bootstrapToken({ default: undefined }),
  ENV: oneOf(['development', 'production'] as const)({ default: defaults.ENV }),
  GO_LIVE_ENFORCE: flag({ default: defaults.GO_LIVE_ENFORCE }),
  GO_LIVE_CACHE_BOUND_MS: int(100, 60000)({ default: defaults.GO_LIVE_CACHE_BOUND_MS }),
  GO_LIVE_REQUIRED_ATTESTATIONS: attestations({ default: [] }),
  LOG_LEVEL: oneOf<string>(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])({ default: defaults.LOG_LEVEL }),
  JOBS_ENABLED: flag({ default: defaults.JOBS_ENABLED }),
  JOB_TICK_MS: int(100)({ default: defaults.JOB_TICK_MS }),
  DB_POOL_SIZE: int(1, 200)({ default: defaults.DB_POOL_SIZE }),
  DB_STATEMENT_TIMEOUT_MS: int(50, 600000)({ default: defaults.DB_STATEMENT_TIMEOUT_MS }),
  DB_LOCK_TIMEOUT_MS: int(10, 600000)({ default: defaults.DB_LOCK_TIMEOUT_MS }),
  DB_CONNECT_TIMEOUT_MS: int(50, 600000)({ default: defaults.DB_CONNECT_TIMEOUT_MS }),
  DB_POOL_ACQUIRE_TIMEOUT_MS: int(10, 600000)({ default: defaults.DB_POOL_ACQUIRE_TIMEOUT_MS }),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(100, 3600000)({ default: defaults.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS }),
  WARDEN_WEBHOOK_URLS: webhookUrls({ default: [] }),
  WARDEN_WEBHOOK_SECRET: text({ default: '' }),
  WARDEN_WEBHOOK_TOPICS: webhookTopics({ default: undefined }),
  WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS: int(1, 100_000)({ default: defaults.WARDEN_WEBHOOK_DEAD_AFTER_ATTEMPTS }),
  WARDEN_WEBHOOK_DEAD_AFTER_SECONDS: int(1, 90 * 24 * 3600)({ default: defaults.WARDEN_WEBHOOK_DEAD_AFTER_SECONDS }),
  WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER: int(1, 100_000)({ default: defaults.WARDEN_APPROVALS_MAX_PENDING_PER_REQUESTER }),
  WARDEN_OVERRIDE_KEY: overrideKey({ default: undefined }),
  WARDEN_PROMOTION_BORDERLINE_REVIEW: flag({ default: defaults.WARDEN_PROMOTION_BORDERLINE_REVIEW }),
  WARDEN_TWO_PERSON: twoPersonActs({ default: undefined }),
  WARDEN_CHANGE_REQUESTS: changeRequestControls({ default: undefined }),
  WARDEN_SESSION_IDLE_MINUTES: int(1, 480)({ default: defaults.WARDEN_SESSION_IDLE_MINUTES }),
  WARDEN_SESSION_MAX_PER_PERSON: int(1, 100)({ default: defaults.WARDEN_SESSION_MAX_PER_PERSON }),
  WARDEN_STREAM_HEARTBEAT_MS: int(100, 60000)({ default: defaults.WARDEN_STREAM_HEARTBEAT_MS }),
  WARDEN_STREAM_MAX_SUBSCRIBERS: int(1, 1_000_000)({ default: defaults.WARDEN_STREAM_MAX_SUBSCRIBERS }),
  WARDEN_STREAM_RETENTION_HOURS: int(1, 90 * 24)({ default: defaults.WARDEN_STREAM_RETENTION_HOURS }),
  WARDEN_PUBLIC_URL: publicUrl({ default: undefined }),
  WARDEN_OIDC_ISSUER: issuerUrl({ default: undefined }),
  WARDEN_OIDC_CLIENT_ID: clientId({ default: undefined }),
  WARDEN_OIDC_CLIENT_SECRET: clientSecret({ default: undefined }),
  WARDEN_OIDC_ROLE_CLAIM: claimName({ default: defaults.WARDEN_OIDC_ROLE_CLAIM }),
  WARDEN_OIDC_ROLES: roleMapping({ default: undefined }),
  WARDEN_OIDC_SCOPES: scopes({ default: defaults.WARDEN_OIDC_SCOPES }),
};

/** Builds the config from an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): WardenConfig {
  // An empty variable counts as unset (VAR= in a compose file), as it always has.
  const raw: Record<string, string> = {};
  for (const key of Object.keys(SPECS)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return customCleanEnv(raw, SPECS, (cleaned) => withOidc(Object.assign(new WardenConfig(), cleaned)), {
    reporter: ({ errors }) => {
      const names = Object.keys(errors) as Array<keyof typeof SPECS>;
      if (names.length === 0) return;
      const lines = names.map((name) => `  ${name} ${errors[name]?.message ?? 'is invalid'}`);
      throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
    },
  });
}

/** Variables that only make sense together are checked together, once each is valid on its own (envalid reports those first). */
function withOidc(config: WardenConfig): WardenConfig {
  const { settings, errors } = oidcSettings(config);
  if (errors.length) throw new ConfigError(`invalid configuration:\n${errors.join('\n')}`);
  config.oidc = settings;
  return config;
}
