import { exactRatio, PlatformErrorCode, WardenError } from '#platform';

/** In-process callers may pass numbers: the same rule as the HTTP layer (exactRatio), 400 naming the field otherwise. */
export function ratioInput(value: string | number, field: string): string {
  const r = exactRatio(value);
  if (r === undefined) throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, `invalid ${field}: must be a number in [0, 1] with at most 30 fraction digits`, { fields: [{ field }] });
  return r;
}
