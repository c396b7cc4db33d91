import { defineLever } from '#platform';

/** The risk guard's one name (metrics, jobs, audit subjects, review key, checklist). */
export const RISK_GUARD = defineLever({ name: 'risk', title: 'Risk' });
