import { defineLever } from '#platform';

/** The approvals lever's one name (metrics, jobs, audit subjects, review key). */
export const APPROVALS = defineLever({ name: 'approvals', title: 'Approvals' });
