import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ReadOnlyDatabase } from '../database/read-only-database.js';
import { sqlOne } from '../database/sql.js';
import { AuditService } from '../audit/audit.service.js';
import { WardenConfig } from '../config/warden-config.js';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';
import { NotifyListener } from '../notify/notify-listener.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { AuthErrorCode } from './auth.errors.js';
import { LeverExplorer } from '../lever/lever-explorer.js';
import { IDENTITY_PATTERN, isReservedTokenName, OIDC_PERSON_PREFIX, personOf, type Principal, type Role, TOKEN_NAME_PATTERN, tokenPerson } from './principal.js';
import { RevocationBroadcast } from './revocation-broadcast.js';

const CACHE_MS = 5000;
/** A lookup that keeps overlapping revocations is refused rather than retried forever. */
const LOOKUP_ATTEMPTS = 5;

/** A token row as the API shows it (never its hash). */
const TOKEN_COLUMNS = `id, name, role, engines, domains, identities, owner, owner_person AS "ownerPerson", created_at AS "createdAt", created_by AS "createdBy",
  created_by_token AS "createdByToken", created_by_person AS "createdByPerson", revoked_at AS "revokedAt"`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreateTokenInput {
  name: string;
  role: Role;
  engines?: string[] | null;
  domains?: string[] | null;
  identities?: string[] | null;
  /**
   * The person the token belongs to; left out, the token is its own person (owner = its name) —
   * except when an SSO person creates it: then it is that person's (docs/auth.md, "Single sign-on").
   */
  owner?: string | null;
}

/**
 * API tokens: stored hashed, looked up through a small in-memory cache (a query per request would
 * cost more than everything else a request does); a revocation anywhere clears every instance's
 * cache before it answers (RevocationBroadcast).
 *
 * The cache has a generation, bumped whenever it is cleared (after a revoke commits, on every
 * notification). A lookup remembers the generation it started in: if the cache was cleared while
 * its query ran, its answer may predate the revoke, so it neither fills the cache nor answers, and
 * the lookup is asked again (measured before: 7 of 58 trials accepted a revoked token for up to 5 s,
 * because a lookup started before the commit refilled the cache the revoke had just cleared).
 */
@Injectable()
export class TokenService implements OnModuleInit {
  private readonly logger = new Logger('tokens');
  private readonly cache = new Map<string, { principal: Principal | null; at: number }>();
  private readonly lookups = new Map<string, { generation: number; promise: Promise<Principal | null> }>();
  private generation = 0;
  private readonly broadcast: RevocationBroadcast;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly config: WardenConfig,
    private readonly notify: NotifyListener,
    private readonly levers: LeverExplorer,
    private readonly reads: ReadOnlyDatabase,
  ) {
    this.broadcast = new RevocationBroadcast(dataSource, notify);
  }

  async onModuleInit(): Promise<void> {
    await this.broadcast.subscribe(() => this.invalidate());
  }

  /** Clears the cache and makes every lookup still in flight ask again. */
  private invalidate(): void {
    this.generation += 1;
    this.cache.clear();
  }

  /** WARDEN_BOOTSTRAP_TOKEN becomes an admin token; without it the first start mints one and prints it once. */
  async ensureBootstrapToken(): Promise<string | null> {
    const fixed = this.config.WARDEN_BOOTSTRAP_TOKEN;
    if (fixed) {
      const hash = hashToken(fixed);
      // Names are unique: a later bootstrap value (the variable changed) is `bootstrap-<hash prefix>`.
      // No conflict target: a concurrent start inserting the same value is a conflict on either index.
      await this.dataSource.query(
        `INSERT INTO api_token (name, token_hash, role, created_by, created_by_token, created_by_person)
         SELECT CASE WHEN EXISTS (SELECT 1 FROM api_token WHERE lower(name) = 'bootstrap') THEN 'bootstrap-' || left($1, 12) ELSE 'bootstrap' END,
                $1, 'admin', 'system', 'system', 'system'
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
        `INSERT INTO api_token (name, token_hash, role, created_by, created_by_token, created_by_person)
         SELECT CASE WHEN EXISTS (SELECT 1 FROM api_token WHERE lower(name) = 'bootstrap') THEN 'bootstrap-' || left($1, 12) ELSE 'bootstrap' END,
                $1, 'admin', 'system', 'system', 'system'`,
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
    // A lookup from before the latest clear is not joined: its answer may predate a revoke.
    const pending = this.lookups.get(hash);
    if (pending && pending.generation === this.generation) return pending.promise;
    const entry = { generation: this.generation, promise: this.lookup(hash) };
    this.lookups.set(hash, entry);
    void entry.promise.finally(() => this.lookups.get(hash) === entry && this.lookups.delete(hash)).catch(() => undefined);
    return entry.promise;
  }

  private async lookup(hash: string): Promise<Principal | null> {
    for (let attempt = 0; attempt < LOOKUP_ATTEMPTS; attempt += 1) {
      const generation = this.generation;
      const at = Date.now();
      const principal = await this.query(hash);
      // Cleared while the query ran: the row read may be the one before a revoke committed.
      if (generation !== this.generation) continue;
      if (this.cache.size > 10000) this.cache.clear();
      this.cache.set(hash, { principal, at });
      return principal;
    }
    throw WardenError.unavailable(PlatformErrorCode.GovernanceUnavailable, 'tokens cannot be verified: they kept changing during the lookup (failing closed)');
  }

  private async query(hash: string): Promise<Principal | null> {
    let rows: Array<{ id: string; name: string; role: Role; engines: string[] | null; domains: string[] | null; identities: string[] | null; owner: string; owner_person: string | null }>;
    try {
      // The read path (read-only session, no held-back Sync): a lookup writes nothing.
      rows = await this.reads.query(`SELECT id, name, role, engines, domains, identities, owner, owner_person FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL`, [
        hash,
      ]);
    } catch (err) {
      // A token that cannot be checked is not accepted (fail closed), and the caller is told it is an outage, not a bug.
      this.logger.warn(`token lookup failed, failing closed: ${err instanceof Error ? err.message : String(err)}`);
      throw WardenError.unavailable(PlatformErrorCode.GovernanceUnavailable, 'tokens cannot be verified: the database cannot be reached (failing closed)');
    }
    const row = rows[0];
    return row
      ? { tokenId: row.id, name: row.name, role: row.role, engines: row.engines, domains: row.domains, identities: row.identities, person: tokenPerson(row.owner, row.owner_person) }
      : null;
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
    // An SSO person's own token is theirs (the IdP vouches for who they are); a named owner is an admin's word, as before.
    const ownerPerson = !input.owner?.trim() && personOf(actor).startsWith(OIDC_PERSON_PREFIX) ? personOf(actor) : null;
    const owner = input.owner?.trim() || (ownerPerson ? actor.name : name);
    if (!ownerPerson && (!TOKEN_NAME_PATTERN.test(owner) || isReservedTokenName(owner, this.levers.contributions().levers))) {
      throw WardenError.badRequest('validation_failed', `owner '${owner}' must be a plain name (like a token name) that Warden does not use for itself`);
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
          `INSERT INTO api_token (name, token_hash, role, engines, domains, identities, created_by, owner, created_by_token, created_by_person, owner_person)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           RETURNING ${TOKEN_COLUMNS}`,
          [name, hashToken(token), input.role, engines, domains, identities, actor.name, owner, actor.tokenId, personOf(actor), ownerPerson],
        );
        await this.audit.record(manager, actor, {
          action: 'token.create',
          subject: `token:${row.id}`,
          details: { name, role: input.role, engines, domains, identities, owner, person: tokenPerson(owner, ownerPerson), created_by_person: personOf(actor) },
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

  /**
   * Revokes a token; when this answers, no instance accepts it: the cache is cleared after the
   * commit (clearing it before, a lookup running meanwhile refilled it with the old row) and every
   * other instance has confirmed its own clear.
   */
  async revoke(actor: Principal, id: string, reason?: string): Promise<ApiTokenEntity> {
    let nonce: string | undefined;
    let row: ApiTokenEntity;
    try {
      row = await this.revokeRow(actor, id, reason, (n) => (nonce = n));
    } catch (err) {
      if (nonce) this.broadcast.forget(nonce);
      throw err;
    }
    this.invalidate();
    if (nonce) await this.broadcast.settled(nonce);
    return row;
  }

  private revokeRow(actor: Principal, id: string, reason: string | undefined, announced: (nonce: string) => void): Promise<ApiTokenEntity> {
    return this.dataSource.transaction(async (manager) => {
      const row = await sqlOne<ApiTokenEntity>(
        manager,
        `UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${TOKEN_COLUMNS}`,
        [id],
      );
      if (!row) throw WardenError.notFound('token_not_found', `no token with id ${id}`);
      await this.audit.record(manager, actor, { action: 'token.revoke', subject: `token:${id}`, reason: reason ?? null });
      announced(await this.broadcast.announce(manager));
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
