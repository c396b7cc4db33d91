import { EnvError, makeValidator } from 'envalid';
import { type Role } from '../auth/principal.js';
import { redactUrl } from './redact.js';

/** The roles a person may get from the IdP's groups; `engine` is for programs, never for a person. */
export const OIDC_ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** The console's callback, under WARDEN_PUBLIC_URL: what the IdP client must list as its redirect URI. */
export const OIDC_CALLBACK_PATH = '/console/sign-in/oidc/callback';

/** Sign-in through an OpenID provider, once every part of it is configured (docs/auth.md, "Single sign-on"). */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  /** A secret: never logged, never shown. */
  clientSecret: string;
  redirectUri: string;
  roleClaim: string;
  /** IdP group (the role claim's value) → Warden role. */
  roles: ReadonlyMap<string, Role>;
  scopes: string;
}

/** An absolute http(s) URL without query, fragment or credentials. */
function checkUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new EnvError(`is not a valid URL (got "${redactUrl(input)}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EnvError(`must be an http(s) URL (got "${redactUrl(input)}")`);
  if (url.search || url.hash || url.username || url.password) throw new EnvError(`must have no query, fragment or credentials (got "${redactUrl(input)}")`);
  return input;
}

/** The console's public base (the redirect URI is appended): a trailing slash is dropped. */
export const publicUrl = makeValidator<string>((input) => checkUrl(input).replace(/\/+$/, ''));

/** The issuer exactly as the provider names itself (compared exactly by discovery: keep its slash, if any). */
export const issuerUrl = makeValidator<string>((input) => checkUrl(input));

/** A secret: its value never appears in a message. */
export const clientSecret = makeValidator<string>((input) => {
  if (input.trim().length === 0) throw new EnvError('must not be blank');
  return input;
});

export const clientId = makeValidator<string>((input) => {
  if (!/^[\x21-\x7e]{1,255}$/.test(input)) throw new EnvError('must be 1-255 printable ASCII characters without spaces');
  return input;
});

export const claimName = makeValidator<string>((input) => {
  if (!/^[A-Za-z0-9_:./-]{1,200}$/.test(input.trim())) throw new EnvError(`must be a claim name (letters, digits, _:./-) (got "${input}")`);
  return input.trim();
});

export const scopes = makeValidator<string>((input) => {
  const list = input.split(/[\s,]+/).filter(Boolean);
  if (!list.includes('openid')) throw new EnvError(`must include openid (got "${input}")`);
  if (list.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) throw new EnvError(`must be space-separated scope names (got "${input}")`);
  return list.join(' ');
});

/**
 * `group=role,group=role` (the last `=` of each item splits it), or a JSON object
 * `{"cn=ops,ou=groups": "operator"}` for group names that hold commas. Roles: viewer, operator, admin.
 */
export const roleMapping = makeValidator<Record<string, Role>>((input) => {
  let pairs: Array<[string, unknown]>;
  if (input.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new EnvError('is not valid JSON (write group=role,group=role or a JSON object)');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EnvError('must be a JSON object of group to role');
    pairs = Object.entries(parsed as Record<string, unknown>);
  } else {
    pairs = input.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
      const eq = item.lastIndexOf('=');
      if (eq <= 0) throw new EnvError(`items must be group=role (got "${item}")`);
      return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
    });
  }
  if (pairs.length === 0) throw new EnvError('must map at least one group to a role');
  const out: Record<string, Role> = {};
  for (const [group, role] of pairs) {
    if (!group || group.length > 500) throw new EnvError('group names must be 1-500 characters');
    if (typeof role !== 'string' || !(OIDC_ROLES as readonly string[]).includes(role)) {
      throw new EnvError(`group "${group}" maps to "${String(role)}": roles are ${OIDC_ROLES.join(', ')}`);
    }
    out[group] = role as Role;
  }
  return out;
});

export interface OidcEnv {
  ENV: 'development' | 'production';
  WARDEN_PUBLIC_URL?: string;
  WARDEN_OIDC_ISSUER?: string;
  WARDEN_OIDC_CLIENT_ID?: string;
  WARDEN_OIDC_CLIENT_SECRET?: string;
  WARDEN_OIDC_ROLE_CLAIM: string;
  WARDEN_OIDC_ROLES?: Record<string, Role>;
  WARDEN_OIDC_SCOPES: string;
}

/**
 * The settings, null when OIDC is off (none of its variables set). Half a configuration is an
 * error naming what is missing, not a sign-in button that fails later; production wants https.
 */
export function oidcSettings(env: OidcEnv): { settings: OidcSettings | null; errors: string[] } {
  const parts = [env.WARDEN_OIDC_ISSUER, env.WARDEN_OIDC_CLIENT_ID, env.WARDEN_OIDC_CLIENT_SECRET, env.WARDEN_OIDC_ROLES];
  if (parts.every((p) => p === undefined)) return { settings: null, errors: [] };
  const errors: string[] = [];
  const need = (name: keyof OidcEnv, why: string) => env[name] === undefined && errors.push(`  ${name} is required when OIDC sign-in is configured (${why})`);
  need('WARDEN_OIDC_ISSUER', 'the OpenID provider');
  need('WARDEN_OIDC_CLIENT_ID', 'the client registered at the provider');
  need('WARDEN_OIDC_CLIENT_SECRET', "that client's secret");
  need('WARDEN_OIDC_ROLES', 'which groups get which role: without it nobody could sign in');
  need('WARDEN_PUBLIC_URL', `the console's address; the redirect URI is it + ${OIDC_CALLBACK_PATH}`);
  if (env.ENV === 'production') {
    for (const name of ['WARDEN_OIDC_ISSUER', 'WARDEN_PUBLIC_URL'] as const) {
      if (env[name]?.startsWith('http:')) errors.push(`  ${name} must be https in production`);
    }
  }
  if (errors.length) return { settings: null, errors };
  return {
    settings: {
      issuer: new URL(env.WARDEN_OIDC_ISSUER!),
      clientId: env.WARDEN_OIDC_CLIENT_ID!,
      clientSecret: env.WARDEN_OIDC_CLIENT_SECRET!,
      redirectUri: `${env.WARDEN_PUBLIC_URL!}${OIDC_CALLBACK_PATH}`,
      roleClaim: env.WARDEN_OIDC_ROLE_CLAIM,
      roles: new Map(Object.entries(env.WARDEN_OIDC_ROLES!)),
      scopes: env.WARDEN_OIDC_SCOPES,
    },
    errors: [],
  };
}
