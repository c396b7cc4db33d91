import { defineErrors } from '#platform';

/** The review's error codes and their statuses. */
export const ReviewErrors = defineErrors({
  review_week_invalid: 400,
  review_week_not_over: 400,
  review_not_found: 404,
  review_exists: 409,
});
export type ReviewErrorCode = keyof typeof ReviewErrors.codes;
