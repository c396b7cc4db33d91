import { defineLever } from '#platform';

/** The go-live lever's one name (metrics, audit subjects, review key, checklist, principals). */
export const GO_LIVE = defineLever({ name: 'go_live', title: 'Control plane' });
