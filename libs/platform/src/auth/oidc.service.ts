import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../clock/clock.js';
import type { OidcSettings } from '../config/oidc-config.js';
import { WardenConfig } from '../config/warden-config.js';
import { claimAt, displayName, groupsOf, mapRole } from './oidc-claims.js';
import { OidcFlowRepository } from './oidc-flow.repository.js';
import { OIDC_PERSON_PREFIX, oidcPerson, type Principal } from './principal.js';
import { type SignedIn, SessionService } from './session.service.js';

/** The browser's handle on a started sign-in (the state, nonce and PKCE verifier stay server-side). */
export const OIDC_FLOW_COOKIE = 'warden_oidc';
export const OIDC_START_PATH = '/console/sign-in/oidc';
/** A sign-in must come back from the provider within this long. */
export const OIDC_FLOW_TTL_MS = 10 * 60 * 1000;

/** Why an SSO sign-in was refused: a stable code, the HTTP status, and a message for the person. */
export class OidcRefusal extends Error {
  constructor(
    readonly code: 'oidc_not_configured' | 'oidc_flow_unknown' | 'oidc_failed' | 'oidc_no_role' | 'oidc_unavailable',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'OidcRefusal';
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Console sign-in through the company's OpenID provider: authorization code with PKCE, state and
 * nonce (openid-client). The provider says who the person is (issuer + subject: its person) and
 * which groups it is in; WARDEN_OIDC_ROLES says what those groups may do here. No mapped group, no
 * session. The provider's metadata is discovered on first use and kept; a failed discovery is
 * retried on the next sign-in.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger('oidc');
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: WardenConfig,
    private readonly flows: OidcFlowRepository,
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.config.oidc !== null;
  }

  /** Starts a sign-in: where to send the browser, and the handle its cookie keeps. */
  async start(): Promise<{ location: string; handle: string; maxAgeSeconds: number }> {
    const settings = this.settings();
    const configuration = await this.discover(settings);
    const flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), code_verifier: oidc.randomPKCECodeVerifier() };
    const handle = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.flows.insert(sha256(handle), flow, now, new Date(now.getTime() + OIDC_FLOW_TTL_MS));
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUri,
      scope: settings.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.code_verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { location: url.href, handle, maxAgeSeconds: OIDC_FLOW_TTL_MS / 1000 };
  }

  /**
   * Finishes a sign-in from the provider's redirect (`search`: the callback's query string): the
   * flow is taken (once), the code exchanged with its verifier, the ID token checked (issuer,
   * audience, signature, nonce) and the role mapped. Throws OidcRefusal, never signs in half.
   */
  async finish(handle: string | undefined, search: string): Promise<SignedIn> {
    const settings = this.settings();
    const flow = handle ? await this.flows.take(sha256(handle), this.clock.now()) : null;
    if (!flow) {
      throw new OidcRefusal('oidc_flow_unknown', 400, 'This sign-in was not started in this browser, was already used, or took longer than 10 minutes. Start again.');
    }
    const configuration = await this.discover(settings);
    let claims: Record<string, unknown>;
    let issuer: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, new URL(`${settings.redirectUri}${search}`), {
        pkceCodeVerifier: flow.code_verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      claims = { ...idClaims };
      issuer = idClaims.iss;
      // Many providers put groups only in userinfo (the ID token stays small): ask it when the claim is absent.
      if (claimAt(claims, settings.roleClaim) === undefined && configuration.serverMetadata().userinfo_endpoint) {
        const info = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (err) {
      // The reason, never the request: the URL carries the code, and the client's secret is in no message.
      // openid-client's message is generic; the check that failed is its cause's message (names, not values).
      const e = err as { name?: string; code?: string; error?: string; message?: string; cause?: { message?: unknown } };
      const cause = typeof e.cause?.message === 'string' ? `(${e.cause.message})` : '';
      this.logger.warn(`OIDC sign-in refused: ${e.name ?? 'Error'} ${e.code ?? ''} ${e.error ?? ''} ${e.message ?? ''} ${cause}`.replace(/\s+/g, ' ').trim());
      throw new OidcRefusal('oidc_failed', 401, 'The identity provider\u2019s answer could not be verified (state, nonce, code or token). Nothing was signed in. Start again.');
    }
    const subject = typeof claims.sub === 'string' ? claims.sub : '';
    const person = oidcPerson(issuer, subject);
    const groups = groupsOf(claimAt(claims, settings.roleClaim));
    const mapped = mapRole(groups, settings.roles);
    const name = `${OIDC_PERSON_PREFIX}${displayName(claims)}`;
    if (!mapped) {
      // Recorded as the person the provider vouched for (who tried), though it got no role here.
      const refused: Principal = { tokenId: person, name, role: 'viewer', engines: null, domains: null, person };
      await this.audit.record(this.dataSource.manager, refused, {
        action: 'console.sign_in_refused',
        subject: person,
        details: { method: 'oidc', name, reason: 'no_mapped_group', claim: settings.roleClaim, groups: groups.slice(0, 50) },
      });
      throw new OidcRefusal(
        'oidc_no_role',
        403,
        `You signed in at the identity provider as ${displayName(claims)}, but none of your groups (claim \u201c${settings.roleClaim}\u201d) is given a Warden role. Ask an administrator to add your group to WARDEN_OIDC_ROLES.`,
      );
    }
    const principal: Principal = { tokenId: person, name, role: mapped.role, engines: null, domains: null, identities: null, person };
    return this.sessions.signInPerson(principal, { issuer, groups: mapped.matched });
  }

  private settings(): OidcSettings {
    if (!this.config.oidc) throw new OidcRefusal('oidc_not_configured', 404, 'Sign-in through an identity provider is not configured here.');
    return this.config.oidc;
  }

  private discover(settings: OidcSettings): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(settings.issuer, settings.clientId, undefined, oidc.ClientSecretBasic(settings.clientSecret), {
        timeout: 10,
        // Plain http only outside production (a provider on localhost in development and tests); loadConfig refuses it in production.
        ...(settings.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((err: unknown) => {
        this.configuration = null;
        this.logger.warn(`OIDC discovery at ${settings.issuer.href} failed: ${err instanceof Error ? err.message : String(err)}`);
        throw new OidcRefusal('oidc_unavailable', 503, 'The identity provider cannot be reached right now. Try again, or sign in with a token.');
      });
    return this.configuration;
  }
}
