import { defineLever } from '#platform';

/** The Monday review's one name (its job, audit subjects). */
export const REVIEW = defineLever({ name: 'review', title: 'Monday review' });
