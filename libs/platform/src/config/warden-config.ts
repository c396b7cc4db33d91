import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;

/**
 * Warden's configuration, read once from the environment and validated at start:
 * a bad variable stops the process with a message naming it.
 */
export class WardenConfig {
  @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST = '127.0.0.1';

  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The schema owner for migrations and seeds, beside DATABASE_URL's DML-only role (docs/database.md). */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_MIGRATION_URL must be a postgres:// URL' })
  DATABASE_MIGRATION_URL?: string;

  @IsString()
  WARDEN_DATA_DIR = '.warden';

  @IsOptional() @IsString() @MinLength(16, { message: 'WARDEN_BOOTSTRAP_TOKEN must be at least 16 characters' })
  WARDEN_BOOTSTRAP_TOKEN?: string;

  @IsIn(['development', 'production'])
  ENV: 'development' | 'production' = 'development';

  @Transform(toBool)
  GO_LIVE_ENFORCE: boolean = false;

  /** How old the cached go-live row may be before PROD_EXEC must re-read it or fail closed. */
  @IsInt() @Min(100) @Max(60000)
  GO_LIVE_CACHE_BOUND_MS: number = 2000;

  /** Checklist items an operator must attest (PUT /go-live/checklist/{item}) before go-live. */
  @Transform(toList) @Matches(/^[a-z0-9_]{1,64}$/, { each: true })
  GO_LIVE_REQUIRED_ATTESTATIONS: string[] = [];

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toBool)
  JOBS_ENABLED: boolean = true;

  @IsInt() @Min(100)
  JOB_TICK_MS: number = 30000;

  @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE: number = 10;

  /** Where the notification outbox POSTs (comma-separated http(s) URLs); none = notifications off. */
  @Transform(toList) @Matches(/^https?:\/\/\S+$/, { each: true, message: 'WARDEN_WEBHOOK_URLS must be comma-separated http(s) URLs' })
  WARDEN_WEBHOOK_URLS: string[] = [];

  /** When set, each webhook POST carries `X-Warden-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
  @IsString()
  WARDEN_WEBHOOK_SECRET = '';

  get goLiveEnforced(): boolean {
    return this.ENV === 'production' || this.GO_LIVE_ENFORCE;
  }
}

export class ConfigError extends Error {}

/** Builds the config from an environment (process.env by default); throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): WardenConfig {
  const known = Object.keys(new WardenConfig());
  const raw: Record<string, unknown> = {};
  for (const key of [...known, 'DATABASE_URL', 'DATABASE_MIGRATION_URL', 'WARDEN_BOOTSTRAP_TOKEN']) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(WardenConfig, raw, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}=${JSON.stringify(raw[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
