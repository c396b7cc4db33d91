import { defineLever } from '../lever/lever.js';

/**
 * The platform's own pages (the audit trail, the outbox) join the console the way a lever's do,
 * under this one name. It acts on nothing and decides nothing; its name is reserved like a lever's.
 */
export const PLATFORM = defineLever({ name: 'platform', title: 'Platform' });
