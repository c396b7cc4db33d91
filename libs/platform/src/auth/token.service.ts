import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { sqlOne } from '../database/sql.js';
import { AuditService } from '../audit/audit.service.js';
import { WardenConfig } from '../config/warden-config.js';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';
import { NotifyListener } from '../notify/notify-listener.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { AuthErrorCode } from './auth.errors.js';
import { LeverExplorer } from '../lever/lever-explorer.js';
import { IDENTITY_PATTERN, isReservedTokenName, type Principal, type Role, TOKEN_NAME_PATTERN } from './principal.js';

const CHANNEL = 'warden_tokens';
const CACHE_MS = 5000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreateTokenInput {
  name: string;
  role: Role;
  engines?: string[] | null;
  domains?: string[] | null;
  identities?: string[] | null;
}

/**
 * API tokens: stored hashed, looked up through a small in-memory cache (a query per request would
 * cost more than everything else a request does); a revocation anywhere clears every instance's cache.
 */
@Injectable()
export class TokenService implements OnModuleInit {
  private readonly logger = new Logger('tokens');
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();
  private readonly lookups = new Map<string, Promise<Principal | null>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly config: WardenConfig,
    private readonly notify: NotifyListener,
    private readonly levers: LeverExplorer,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.notify.subscribe(CHANNEL, () => this.cache.clear());
  }

  /** WARDEN_BOOTSTRAP_TOKEN becomes an admin token; without it the first start mints one and prints it once. */
  async ensureBootstrapToken(): Promise<string | null> {
    const fixed = this.config.WARDEN_BOOTSTRAP_TOKEN;
    if (fixed) {
      const hash = hashToken(fixed);
      // Names are unique: a later bootstrap value (the variable changed) is `bootstrap-<hash prefix>`.
      // No conflict target: a concurrent start inserting the same value is a conflict on either index.
      await this.dataSource.query(
        `INSERT INTO api_token (name, token_hash, role, created_by)
         SELECT CASE WHEN EXISTS (SELECT 1 FROM api_token WHERE lower(name) = 'bootstrap') THEN 'bootstrap-' || left($1, 12) ELSE 'bootstrap' END,
                $1, 'admin', 'system'
         ON CONFLICT DO NOTHING`,
        [hash],
      );
      const [row] = await this.dataSource.query(`SELECT 1 FROM api_token WHERE token_hash = $1`, [hash]);
      if (!row) throw new Error('WARDEN_BOOTSTRAP_TOKEN: the bootstrap admin token could not be created (its name is taken)');
      return null;
    }
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM api_token WHERE role = 'admin'`);
    if (count > 0) return null;
    const token = newToken();
    // The advisory lock keeps two instances starting together from minting two tokens.
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('warden_bootstrap_token'))`);
      const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM api_token WHERE role = 'admin'`);
      if (n > 0) return false;
      const hash = hashToken(token);
      await manager.query(
        `INSERT INTO api_token (name, token_hash, role, created_by)
         SELECT CASE WHEN EXISTS (SELECT 1 FROM api_token WHERE lower(name) = 'bootstrap') THEN 'bootstrap-' || left($1, 12) ELSE 'bootstrap' END,
                $1, 'admin', 'system'`,
        [hash],
      );
      return true;
    });
    if (!created) return null;
    this.logger.warn('created the first admin token; it is shown only this once');
    process.stdout.write(`\n  Warden admin token (shown once): ${token}\n\n`);
    return token;
  }

  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const hit = this.cache.get(hash);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_MS) return hit.principal;
    // One lookup per token at a time: 500 concurrent calls after the cache expired must not take 500
    // pooled connections (each bounded by the acquire timeout: they would answer 503).
    const pending = this.lookups.get(hash);
    if (pending) return pending;
    const lookup = this.lookup(hash, now).finally(() => this.lookups.delete(hash));
    this.lookups.set(hash, lookup);
    return lookup;
  }

  private async lookup(hash: string, now: number): Promise<Principal | null> {
    let rows: Array<{ id: string; name: string; role: Role; engines: string[] | null; domains: string[] | null; identities: string[] | null }>;
    try {
      rows = await this.dataSource.query(`SELECT id, name, role, engines, domains, identities FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL`, [
        hash,
      ]);
    } catch (err) {
      // A token that cannot be checked is not accepted (fail closed), and the caller is told it is an outage, not a bug.
      this.logger.warn(`token lookup failed, failing closed: ${err instanceof Error ? err.message : String(err)}`);
      throw WardenError.unavailable(PlatformErrorCode.GovernanceUnavailable, 'tokens cannot be verified: the database cannot be reached (failing closed)');
    }
    const row = rows[0];
    const principal = row ? { tokenId: row.id, name: row.name, role: row.role, engines: row.engines, domains: row.domains, identities: row.identities } : null;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(hash, { principal, at: now });
    return principal;
  }

  /**
   * Names are unique (case-insensitively, revoked tokens included: a name in an old record keeps
   * naming one token) and never one Warden uses for itself; only engine tokens carry a binding.
   */
  async create(actor: Principal, input: CreateTokenInput): Promise<{ token: string; entity: ApiTokenEntity }> {
    const name = input.name.trim();
    if (!TOKEN_NAME_PATTERN.test(name)) {
      throw WardenError.badRequest('validation_failed', 'name must be 1-100 ASCII letters, digits, spaces or ._@+- and start with a letter or digit');
    }
    if (isReservedTokenName(name, this.levers.contributions().levers)) {
      throw WardenError.badRequest(AuthErrorCode.TokenNameReserved, `the token name '${name}' is reserved: Warden records its own acts under it`);
    }
    const engines = input.engines ?? null;
    const domains = input.domains ?? null;
    const identities = input.identities ? [...new Set(input.identities.map((i) => i.trim()))] : null;
    if (input.role !== 'engine' && (engines !== null || domains !== null || identities !== null)) {
      throw WardenError.badRequest(
        AuthErrorCode.BindingNotAllowed,
        `only engine tokens are bound: a '${input.role}' token acts on every engine and domain and claims any identity, so engines/domains/identities would be ignored`,
      );
    }
    const badIdentity = identities?.find((i) => !IDENTITY_PATTERN.test(i));
    if (badIdentity !== undefined) throw WardenError.badRequest('validation_failed', `identity '${badIdentity}' must be 1-200 printable characters without "/"`);
    const token = newToken();
    try {
      const entity = await this.dataSource.transaction(async (manager) => {
        // The unique index decides a race; this read spares the usual case a failed statement.
        const [taken] = await manager.query(`SELECT 1 FROM api_token WHERE lower(name) = lower($1)`, [name]);
        if (taken) throw nameTaken(name);
        const [row] = await manager.query(
          `INSERT INTO api_token (name, token_hash, role, engines, domains, identities, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, name, role, engines, domains, identities, created_at AS "createdAt", created_by AS "createdBy", revoked_at AS "revokedAt"`,
          [name, hashToken(token), input.role, engines, domains, identities, actor.name],
        );
        await this.audit.record(manager, actor, {
          action: 'token.create',
          subject: `token:${row.id}`,
          details: { name, role: input.role, engines, domains, identities },
        });
        return row as ApiTokenEntity;
      });
      return { token, entity };
    } catch (err) {
      throw uniqueViolation(err, 'ux_api_token_name') ? nameTaken(name) : err;
    }
  }

  list(): Promise<ApiTokenEntity[]> {
    return this.dataSource.getRepository(ApiTokenEntity).find({ order: { createdAt: 'ASC' } });
  }

  async revoke(actor: Principal, id: string, reason?: string): Promise<ApiTokenEntity> {
    return this.dataSource.transaction(async (manager) => {
      const row = await sqlOne<ApiTokenEntity>(
        manager,
        `UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
         RETURNING id, name, role, engines, domains, created_at AS "createdAt", created_by AS "createdBy", revoked_at AS "revokedAt"`,
        [id],
      );
      if (!row) throw WardenError.notFound('token_not_found', `no token with id ${id}`);
      await this.audit.record(manager, actor, { action: 'token.revoke', subject: `token:${id}`, reason: reason ?? null });
      await manager.query(`SELECT pg_notify($1, $2)`, [CHANNEL, id]);
      this.cache.clear();
      return row;
    });
  }
}

function nameTaken(name: string): WardenError {
  return WardenError.conflict(AuthErrorCode.TokenNameTaken, `a token named '${name}' already exists (names are unique whatever their case, revoked tokens included)`);
}

function uniqueViolation(err: unknown, index: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const d = e.driverError ?? e;
  return d.code === '23505' && d.constraint === index;
}

function newToken(): string {
  return `wdn_${randomBytes(32).toString('base64url')}`;
}
