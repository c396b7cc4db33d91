import { defineErrors } from '../errors/define-errors.js';

/** The outbox routes' error codes (the `error` field of the error body). */
export const OutboxErrors = defineErrors({
  outbox_delivery_not_found: 404,
  outbox_delivery_not_dead: 409,
  outbox_destination_not_configured: 409,
});
