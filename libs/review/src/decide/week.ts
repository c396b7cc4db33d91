const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** `2026-W48`: an ISO 8601 week, Monday 00:00 UTC to the next Monday. */
export const ISO_WEEK_PATTERN = /^([0-9]{4})-W([0-9]{2})$/;

export interface IsoWeek {
  week: string;
  from: Date;
  to: Date;
}

/** Monday 00:00 UTC of week 1 of an ISO year (the week that holds 4 January). */
function weekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
}

/** The ISO week an instant falls in (UTC). */
export function isoWeekOf(at: Date): IsoWeek {
  const dayStart = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  const monday = dayStart - ((new Date(dayStart).getUTCDay() + 6) % 7) * DAY_MS;
  const year = new Date(monday + 3 * DAY_MS).getUTCFullYear(); // the Thursday decides the ISO year
  const n = Math.round((monday - weekOneMonday(year)) / WEEK_MS) + 1;
  return { week: `${year}-W${String(n).padStart(2, '0')}`, from: new Date(monday), to: new Date(monday + WEEK_MS) };
}

/** Parses `YYYY-Www`; null when malformed or when the year has no such week (W53 only in long years). */
export function parseIsoWeek(text: string): IsoWeek | null {
  const m = ISO_WEEK_PATTERN.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const n = Number(m[2]);
  if (year < 1970 || n < 1) return null;
  const from = weekOneMonday(year) + (n - 1) * WEEK_MS;
  const week = isoWeekOf(new Date(from));
  return week.week === text ? week : null;
}

/** The ISO week that ended last before `at` (the Monday job's week). */
export function weekEndedBefore(at: Date): IsoWeek {
  const current = isoWeekOf(at);
  return isoWeekOf(new Date(current.from.getTime() - DAY_MS));
}
