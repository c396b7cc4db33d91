import fc from 'fast-check';
import type { Principal } from '../auth/principal.js';
import { audienceOf, sees } from './stream-scope.js';

const principal = (p: Partial<Principal>): Principal => ({ tokenId: 't', name: 'x', role: 'engine', engines: null, domains: null, ...p });

describe('stream scope', () => {
  it('an event without scope reaches everyone', () => {
    expect(sees(audienceOf(principal({ engines: ['A'] })), undefined)).toBe(true);
    expect(sees(audienceOf(principal({ role: 'viewer' })), {})).toBe(true);
  });

  it('a bound engine token sees only its engines and domains', () => {
    const bound = audienceOf(principal({ engines: ['WHOLESALE'], domains: ['OFFER'] }));
    expect(sees(bound, { engines: ['WHOLESALE'] })).toBe(true);
    expect(sees(bound, { engines: ['CAPITAL'] })).toBe(false);
    expect(sees(bound, { domains: ['OFFER'] })).toBe(true);
    expect(sees(bound, { domains: ['ROUTE'] })).toBe(false);
  });

  it('a token bound to domains only is bound to no engine (fail closed, as the binding is)', () => {
    expect(sees(audienceOf(principal({ domains: ['OFFER'] })), { engines: ['WHOLESALE'] })).toBe(false);
  });

  it('operators, admins and unbound engine tokens see every engine and domain', () => {
    for (const p of [principal({ role: 'operator' }), principal({ role: 'admin' }), principal({})]) {
      expect(sees(audienceOf(p), { engines: ['ANY'], domains: ['ANY'] })).toBe(true);
    }
  });

  it('a principal-scoped event reaches that principal only, whatever the role', () => {
    expect(sees(audienceOf(principal({ name: 'ops-a', role: 'admin' })), { principal: 'ops-b' })).toBe(false);
    expect(sees(audienceOf(principal({ name: 'ops-b', role: 'viewer' })), { principal: 'ops-b' })).toBe(true);
  });

  it('a bound token never sees an engine outside its binding (property)', () => {
    const name = fc.constantFrom('A', 'B', 'C', 'D');
    fc.assert(
      fc.property(fc.array(name, { maxLength: 3 }), fc.array(name, { minLength: 1, maxLength: 3 }), (bound, scoped) => {
        const seen = sees(audienceOf(principal({ engines: bound })), { engines: scoped });
        expect(seen).toBe(scoped.some((e) => bound.includes(e)));
      }),
    );
  });
});
