/** The result of a pure CLI command: what to print and the process exit code. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
}

/**
 * One JSON line with keys in the given order and Go's `omitempty` applied (empty strings and
 * lists, false, 0 and null dropped; `keep` survive): the same inputs print the same bytes.
 */
export function jsonLine(fields: [string, unknown][], keep: readonly string[] = ['ok']): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of fields) {
    const empty = v === undefined || v === null || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0);
    if (!empty || keep.includes(k)) out[k] = v;
  }
  return `${JSON.stringify(out)}\n`;
}

export const csv = (values: readonly string[] | undefined) => (values && values.length > 0 ? values.join(',') : 'none');
