import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../clock/clock.js';
import { WardenConfig } from '../config/warden-config.js';
import { PlatformErrorCode, WardenError } from '../errors/warden-error.js';
import { OIDC_PERSON_PREFIX, personOf, type Principal } from './principal.js';
import { SessionRepository } from './session.repository.js';
import { TokenService } from './token.service.js';

/** The console's session cookie and the header that must echo its CSRF token on unsafe methods. */
export const SESSION_COOKIE = 'warden_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface SignedIn {
  /** The cookie value: 32 random bytes, base64url; only its hash is stored. */
  session: string;
  csrfToken: string;
  principal: Principal;
  expiresAt: Date;
}

export interface LiveSession {
  principal: Principal;
  csrfToken: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The CSRF token is an HMAC of the session id (keyed by the id itself): the server can compute it
 * for every page it renders without storing it in clear, and nobody without the HttpOnly cookie can.
 */
function csrfFor(session: string): string {
  return createHmac('sha256', session).update('warden-console-csrf').digest('base64url');
}

/** A sign-in's audit subject: the token it used (as before), or the SSO person. */
function sessionSubject(tokenId: string | null, person: string): string {
  return tokenId ? `token:${tokenId}` : person;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads one cookie from a Cookie header (no dependency: the console sets exactly one). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * Console sessions: a token (or an OpenID provider's word, OidcService) exchanged for a cookie at
 * sign-in, checked (with its token, if any) on every request. A session ends at sign-out, after 8
 * hours, after WARDEN_SESSION_IDLE_MINUTES unused, when its token is revoked, or when its person
 * signs in beyond WARDEN_SESSION_MAX_PER_PERSON sessions (the oldest goes).
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger('sessions');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: SessionRepository,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: WardenConfig,
  ) {}

  /** Null when the token is unknown or revoked. */
  async signIn(token: string): Promise<SignedIn | null> {
    const principal = await this.tokens.authenticate(token);
    if (!principal) return null;
    return this.open(principal, true, { method: 'token' });
  }

  /**
   * A session for a person the OpenID provider vouched for (OidcService.finish): no token behind
   * it; its principal's token id is its person (`oidc:<issuer>#<subject>`), its role the one mapped
   * from its groups now. `details` (groups, issuer) go to the sign-in's audit row.
   */
  signInPerson(principal: Principal, details: Record<string, unknown>): Promise<SignedIn> {
    if (!principal.person?.startsWith(OIDC_PERSON_PREFIX) || principal.tokenId !== principal.person) {
      throw new Error('an SSO principal carries its person as token id');
    }
    return this.open(principal, false, { method: 'oidc', ...details });
  }

  private async open(principal: Principal, viaToken: boolean, details: Record<string, unknown>): Promise<SignedIn> {
    const person = personOf(principal);
    const session = randomBytes(32).toString('base64url');
    const csrfToken = csrfFor(session);
    const createdAt = this.clock.now();
    const expiresAt = new Date(createdAt.getTime() + SESSION_TTL_MS);
    await this.dataSource.transaction(async (manager) => {
      // At most WARDEN_SESSION_MAX_PER_PERSON live sessions of a person, whichever of its tokens (or
      // SSO sign-ins) opened them: a stolen cookie does not outlive five new sign-ins.
      const evicted = await this.repository.evictBeyond(manager, person, this.config.WARDEN_SESSION_MAX_PER_PERSON, createdAt);
      await this.repository.insert(manager, { idHash: sha256(session), principal, person, viaToken, csrfHash: sha256(csrfToken), createdAt, expiresAt });
      await this.audit.record(manager, principal, {
        action: 'console.sign_in',
        subject: sessionSubject(viaToken ? principal.tokenId : null, person),
        details: { ...details, person, role: principal.role, expires_at: expiresAt.toISOString(), ...(evicted ? { revoked_oldest_sessions: evicted } : {}) },
      });
    });
    return { session, csrfToken, principal, expiresAt };
  }

  /** The session's principal, or null when it is unknown, expired, idle too long, signed out, evicted or its token revoked. Fails closed (503) without a database. */
  async resolve(session: string): Promise<LiveSession | null> {
    let row;
    try {
      row = await this.repository.findLive(sha256(session), this.clock.now(), this.config.WARDEN_SESSION_IDLE_MINUTES);
    } catch (err) {
      this.logger.warn(`session lookup failed, failing closed: ${err instanceof Error ? err.message : String(err)}`);
      throw WardenError.unavailable(PlatformErrorCode.GovernanceUnavailable, 'sessions cannot be verified: the database cannot be reached (failing closed)');
    }
    if (!row) return null;
    // An SSO session lives only while SSO is configured: turning it off (the provider compromised, say) ends them all.
    if (row.person.startsWith(OIDC_PERSON_PREFIX) && this.config.oidc === null) return null;
    const csrfToken = csrfFor(session);
    if (!sameText(sha256(csrfToken), row.csrf_hash)) return null;
    return {
      principal: { tokenId: row.token_id, name: row.name, role: row.role, engines: row.engines, domains: row.domains, identities: row.identities, person: row.person },
      csrfToken,
    };
  }

  /** Whether a request's X-CSRF-Token header is this session's token. */
  csrfMatches(live: LiveSession, header: string | string[] | undefined): boolean {
    return typeof header === 'string' && sameText(header, live.csrfToken);
  }

  async signOut(session: string, principal: Principal): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const ended = await this.repository.revoke(manager, sha256(session), this.clock.now());
      if (ended) await this.audit.record(manager, principal, { action: 'console.sign_out', subject: sessionSubject(ended.token_id, ended.person), details: { person: ended.person } });
    });
  }

  /** The Set-Cookie value for a session (Secure only in production: plain-http localhost would drop it). */
  cookie(session: string, expiresAt: Date): string {
    const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - this.clock.now().getTime()) / 1000));
    return `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${this.secure()}`;
  }

  clearCookie(): string {
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${this.secure()}`;
  }

  /** `; Secure` in production: the console's other cookies follow the session cookie's rule. */
  secureAttribute(): string {
    return this.secure();
  }

  private secure(): string {
    return this.config.ENV === 'production' ? '; Secure' : '';
  }
}
