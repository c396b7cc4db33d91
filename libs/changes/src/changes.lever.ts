import { defineLever } from '#platform';

/** Change governance's one name (metrics, audit subjects, review key, notifications, approval kinds). */
export const CHANGES = defineLever({ name: 'changes', title: 'Change governance' });
