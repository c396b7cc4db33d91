/** See reap.mjs. `file` defaults to the run's registry under WARDEN_TEST_ROOT. */
export function recordGroup(pid: number, file?: string): void;
export function reapRecordedGroups(file?: string): number[];
