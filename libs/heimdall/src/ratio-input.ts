import { normalizeRatio, PlatformErrorCode, WardenError } from '#platform';

/** In-process callers may pass numbers: the same normalization as the HTTP layer, 400 naming the field otherwise. */
export function ratioInput(value: string | number, field: string): string {
  const r = normalizeRatio(value);
  if (r === undefined) throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `invalid ${field}: must be a number in [0, 1]`, { fields: [{ field }] });
  return r;
}
