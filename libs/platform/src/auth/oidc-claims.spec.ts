import { claimAt, displayName, groupsOf, mapRole } from './oidc-claims.js';

const MAPPING = new Map([
  ['warden-admins', 'admin'],
  ['warden-ops', 'operator'],
  ['warden-readers', 'viewer'],
] as const);

describe('OIDC claims → role', () => {
  it('the highest mapped group wins; unmapped groups are ignored', () => {
    expect(mapRole(['staff', 'warden-readers', 'warden-ops'], MAPPING)).toEqual({ role: 'operator', matched: ['warden-ops', 'warden-readers'] });
    expect(mapRole(['warden-admins', 'warden-ops'], MAPPING)?.role).toBe('admin');
    expect(mapRole(['warden-ops', 'warden-ops'], MAPPING)).toEqual({ role: 'operator', matched: ['warden-ops'] });
  });

  it('no mapped group, or a group spelled differently, gives no role (fail closed)', () => {
    expect(mapRole([], MAPPING)).toBeNull();
    expect(mapRole(['staff', 'Warden-Ops', ' warden-ops'], MAPPING)).toBeNull();
  });

  it('a claim is a list of strings or one string; anything else names no group', () => {
    expect(groupsOf(['a', 1, null, 'b'])).toEqual(['a', 'b']);
    expect(groupsOf('warden-ops')).toEqual(['warden-ops']);
    expect(groupsOf({ 'warden-ops': true })).toEqual([]);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('claims are read by exact name first, then by dotted path', () => {
    expect(claimAt({ 'realm_access.roles': ['x'], realm_access: { roles: ['y'] } }, 'realm_access.roles')).toEqual(['x']);
    expect(claimAt({ realm_access: { roles: ['y'] } }, 'realm_access.roles')).toEqual(['y']);
    expect(claimAt({ realm_access: ['roles'] }, 'realm_access.roles')).toBeUndefined();
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.toString')).toBeUndefined();
  });

  it('the display name is a readable claim, stripped of control characters and bounded', () => {
    expect(displayName({ sub: 's1', email: 'a@x', preferred_username: 'alice' })).toBe('alice');
    expect(displayName({ sub: 's1', preferred_username: '\u0000\u200b ' , email: 'a@x' })).toBe('a@x');
    expect(displayName({ sub: 'x'.repeat(300) })).toHaveLength(100);
    expect(displayName({})).toBe('unknown');
  });
});
