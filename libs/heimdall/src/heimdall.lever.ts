import { defineLever } from '#platform';

/** Heimdall's one name (metrics, jobs, audit subjects, review key, checklist). */
export const HEIMDALL = defineLever({ name: 'heimdall', title: 'Heimdall' });
