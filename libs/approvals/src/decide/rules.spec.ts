import fc from 'fast-check';
import {
  aliasStatus,
  approverRoles,
  DEFAULT_APPROVERS,
  effectiveStatus,
  expiresAt,
  minApprovalsFor,
  RISK_LEVELS,
  statusAfter,
  STORED_STATUSES,
} from './rules.js';

describe('approval rules', () => {
  it('min_approvals defaults to 1 and is at least 2 for critical, whatever was asked', () => {
    expect(minApprovalsFor('low')).toBe(1);
    expect(minApprovalsFor('critical')).toBe(2);
    expect(minApprovalsFor('critical', 1)).toBe(2);
    expect(minApprovalsFor('high', 3)).toBe(3);
    fc.assert(
      fc.property(fc.constantFrom(...RISK_LEVELS), fc.option(fc.integer({ min: 1, max: 10 })), (risk, asked) => {
        const n = minApprovalsFor(risk, asked);
        expect(n).toBeGreaterThanOrEqual(risk === 'critical' ? 2 : 1);
        if (asked != null) expect(n).toBeGreaterThanOrEqual(asked);
      }),
    );
  });

  it('expires in 1 h by default and refuses lifetimes outside 1 s..7 days', () => {
    const now = new Date('2025-11-21T10:00:00Z');
    expect(expiresAt(now).toISOString()).toBe('2025-11-21T11:00:00.000Z');
    expect(expiresAt(now, 1).getTime() - now.getTime()).toBe(1000);
    expect(() => expiresAt(now, 0)).toThrow(RangeError);
    expect(() => expiresAt(now, 7 * 86400 + 1)).toThrow(RangeError);
  });

  it('a pending request is expired for every reader from expires_at on; a decided one never changes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STORED_STATUSES), fc.integer({ min: -5000, max: 5000 }), (stored, offset) => {
        const expires = new Date('2025-11-21T11:00:00Z');
        const now = new Date(expires.getTime() + offset);
        const seen = effectiveStatus(stored, expires, now);
        if (stored !== 'pending') expect(seen).toBe(stored);
        else expect(seen).toBe(offset >= 0 ? 'expired' : 'pending');
      }),
    );
    expect(aliasStatus('expired')).toBe('timeout');
    expect(aliasStatus('approved')).toBe('approved');
  });

  it('one rejection rejects; min_approvals distinct approvals approve, not one fewer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fc.constantFrom('approve' as const, 'reject' as const), { maxLength: 12 }), (min, decisions) => {
        let status = 'pending';
        let approvals = 0;
        for (const d of decisions) {
          if (status !== 'pending') break;
          status = statusAfter(d, approvals, min);
          if (d === 'approve') approvals++;
        }
        const firstReject = decisions.indexOf('reject');
        const approvesBeforeReject = (firstReject === -1 ? decisions : decisions.slice(0, firstReject)).length;
        if (approvesBeforeReject >= min) expect(status).toBe('approved');
        else if (firstReject !== -1) expect(status).toBe('rejected');
        else expect(status).toBe('pending');
      }),
    );
  });

  // Every kind registered today uses the default rule; test/approval-acts.e2e.spec.ts checks each registered kind.
  it('only operators and admins decide any kind', () => {
    expect(approverRoles()).toEqual(['operator', 'admin']);
    expect(approverRoles(DEFAULT_APPROVERS)).toEqual(['operator', 'admin']);
    expect(approverRoles({ least: 'admin' })).toEqual(['admin']);
  });
});
