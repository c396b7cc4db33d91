/**
 * The risk ledger's batcher is the platform's group commit (libs/platform/src/database/group-commit.ts):
 * concurrent reserves (and settles/voids) share one call of the batch SQL function, each request
 * all-or-nothing in arrival order. Its failure rule is the platform's: a batch the function refuses
 * is bisected so only the bad request fails; an outage (deadline, lost connection, 503) fails the
 * whole batch at once, never retried, and answers 503 governance_unavailable. The ledger's settings
 * and their measurements live with each path (risk-reserve.service.ts: 200 per batch, one in flight).
 */
export { GroupCommit as Batcher } from '#platform';
