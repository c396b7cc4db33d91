import { defineLever } from '#platform';

/** The gate's one name (metrics, audit subjects, review key). */
export const GATE = defineLever({ name: 'gate', title: 'Gate' });
