import { ConfigError, loadConfig } from './warden-config.js';

const SECRET = 'client-secret-that-must-never-be-echoed';
const FULL = {
  WARDEN_PUBLIC_URL: 'https://warden.example.com/',
  WARDEN_OIDC_ISSUER: 'https://idp.example.com/',
  WARDEN_OIDC_CLIENT_ID: 'warden',
  WARDEN_OIDC_CLIENT_SECRET: SECRET,
  WARDEN_OIDC_ROLES: 'warden-admins=admin, warden-ops=operator',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('OIDC configuration (validated at start)', () => {
  it('off unless configured; once configured, the redirect URI is derived from WARDEN_PUBLIC_URL', () => {
    expect(loadConfig({}).oidc).toBeNull();
    const { oidc } = loadConfig(FULL);
    expect(oidc).toMatchObject({ clientId: 'warden', redirectUri: 'https://warden.example.com/console/sign-in/oidc/callback', roleClaim: 'groups', scopes: 'openid profile email' });
    // The issuer is kept exactly as given: discovery compares it with the provider's own.
    expect(oidc!.issuer.href).toBe('https://idp.example.com/');
    expect([...oidc!.roles]).toEqual([['warden-admins', 'admin'], ['warden-ops', 'operator']]);
  });

  it('half a configuration names what is missing, and never shows the secret', () => {
    const message = refusal({ WARDEN_OIDC_ISSUER: FULL.WARDEN_OIDC_ISSUER, WARDEN_OIDC_CLIENT_SECRET: SECRET });
    for (const name of ['WARDEN_OIDC_CLIENT_ID', 'WARDEN_OIDC_ROLES', 'WARDEN_PUBLIC_URL']) expect(message).toContain(name);
    expect(message).not.toContain('WARDEN_OIDC_CLIENT_SECRET is required');
    expect(message).not.toContain(SECRET);
  });

  it('a mapping must give people roles: unknown roles, engine, empty or malformed items are refused', () => {
    for (const roles of ['warden-ops=root', 'bots=engine', 'warden-ops', '=admin', ' , ', '{"a": 1}', '{broken']) {
      expect(refusal({ ...FULL, WARDEN_OIDC_ROLES: roles })).toContain('WARDEN_OIDC_ROLES');
    }
  });

  it('group names holding commas or equals signs are written as JSON; the last = splits the short form', () => {
    expect([...loadConfig({ ...FULL, WARDEN_OIDC_ROLES: '{"cn=ops,ou=groups": "operator"}' }).oidc!.roles]).toEqual([['cn=ops,ou=groups', 'operator']]);
    expect([...loadConfig({ ...FULL, WARDEN_OIDC_ROLES: 'cn=ops=operator' }).oidc!.roles]).toEqual([['cn=ops', 'operator']]);
  });

  it('production wants https for the issuer and the public URL; URLs carry no credentials or query', () => {
    expect(refusal({ ...FULL, ENV: 'production', WARDEN_OIDC_ISSUER: 'http://idp.example.com' })).toContain('WARDEN_OIDC_ISSUER must be https in production');
    expect(refusal({ ...FULL, ENV: 'production', WARDEN_PUBLIC_URL: 'http://warden.example.com' })).toContain('WARDEN_PUBLIC_URL must be https in production');
    expect(loadConfig({ ...FULL, WARDEN_OIDC_ISSUER: 'http://localhost:4000' }).oidc).not.toBeNull();
    expect(refusal({ ...FULL, WARDEN_OIDC_ISSUER: 'https://u:p@idp.example.com' })).not.toContain('u:p');
    expect(refusal({ ...FULL, WARDEN_PUBLIC_URL: 'https://warden.example.com/?x=1' })).toContain('WARDEN_PUBLIC_URL');
    expect(refusal({ ...FULL, WARDEN_OIDC_SCOPES: 'profile email' })).toContain('WARDEN_OIDC_SCOPES');
  });
});
