const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/**
 * A job's periods are boundaries `offsetMs + k * periodMs` after the Unix epoch (a Thursday, 00:00 UTC):
 * "every 5 minutes", "daily at 00:00 UTC" and "Mondays 08:00 UTC" are all that one shape.
 */
export interface JobSchedule {
  periodMs: number;
  offsetMs: number;
  describe: string;
}

export const every = (minutes: number): JobSchedule => ({ periodMs: minutes * MINUTE, offsetMs: 0, describe: `every ${minutes} min` });

export const dailyAtUtc = (hour = 0, minute = 0): JobSchedule => ({
  periodMs: DAY,
  offsetMs: hour * HOUR + minute * MINUTE,
  describe: `daily ${pad(hour)}:${pad(minute)} UTC`,
});

export const weeklyAtUtc = (weekday: (typeof WEEKDAYS)[number], hour = 0, minute = 0): JobSchedule => {
  const daysAfterThursday = (WEEKDAYS.indexOf(weekday) - 4 + 7) % 7;
  return { periodMs: 7 * DAY, offsetMs: daysAfterThursday * DAY + hour * HOUR + minute * MINUTE, describe: `${weekday} ${pad(hour)}:${pad(minute)} UTC` };
};

/** The latest boundary at or before `now`. */
export function lastBoundary(schedule: JobSchedule, now: Date): Date {
  const t = now.getTime() - schedule.offsetMs;
  return new Date(Math.floor(t / schedule.periodMs) * schedule.periodMs + schedule.offsetMs);
}

/**
 * The boundaries still to run, oldest first: those after `lastDone` up to the latest one, at most
 * `maxCatchUp` of them (the newest). With no run ever, only the latest.
 */
export function dueBoundaries(schedule: JobSchedule, now: Date, lastDone: Date | null, maxCatchUp: number): Date[] {
  const latest = lastBoundary(schedule, now).getTime();
  const from = lastDone ? lastDone.getTime() + schedule.periodMs : latest;
  const due: number[] = [];
  for (let b = latest; b >= from && due.length < Math.max(1, maxCatchUp); b -= schedule.periodMs) due.push(b);
  return due.reverse().map((b) => new Date(b));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
