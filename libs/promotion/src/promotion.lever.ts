import { defineLever } from '#platform';

/** The promotion review's one name (metrics, jobs, audit subjects, review key). */
export const PROMOTION = defineLever({ name: 'promotion', title: 'Promotion verdicts' });
