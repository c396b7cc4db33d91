import { defineLever } from '#platform';

/** The regression tripwire's one name: metrics, jobs, audit subjects and actions, review key, checklist, and the principal it acts as. */
export const REGRESSION_TRIPWIRE = defineLever({ name: 'regression_tripwire', title: 'Tripwires' });
