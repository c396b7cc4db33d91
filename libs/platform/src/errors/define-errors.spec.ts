import { defineErrors } from './define-errors.js';
import { WardenError } from './warden-error.js';

describe('defineErrors', () => {
  const Errors = defineErrors({ risk_denied: 403, idempotency_conflict: 409, governance_unavailable: 503 });

  it('raises a WardenError with the status of its code', () => {
    const err = Errors.raise('idempotency_conflict', 'used', { details: { k: 1 } });
    expect(err).toBeInstanceOf(WardenError);
    expect(err).toMatchObject({ code: 'idempotency_conflict', status: 409, message: 'used', extra: { details: { k: 1 } } });
  });

  it('pick returns the sub-table of the codes a route can answer', () => {
    expect(Errors.pick('risk_denied', 'governance_unavailable')).toEqual({ risk_denied: 403, governance_unavailable: 503 });
    expect(Errors.table).toEqual({ risk_denied: 403, idempotency_conflict: 409, governance_unavailable: 503 });
  });
});
