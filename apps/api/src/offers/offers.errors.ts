import { defineErrors } from '#platform';

/** The example offer engine's own error codes (Heimdall's refusals pass through as Heimdall answers them). */
export const OfferErrors = defineErrors({ idempotency_conflict: 409 });
