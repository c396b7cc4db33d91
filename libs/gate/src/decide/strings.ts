/** String-list normalisation exactly as gait's gate package: trim, drop empties, dedupe, sort (bytewise). */
export function uniqueSorted(values: readonly string[] | undefined): string[] {
  if (!values || values.length === 0) return [];
  const out = new Set<string>();
  for (const v of values) {
    const t = v.trim();
    if (t !== '') out.add(t);
  }
  return [...out].sort(compareBytes);
}

/** Trimmed, deduplicated, sorted; case kept (identities, workspace prefixes, target values). */
export const normalizeList = (values: readonly string[] | undefined): string[] => uniqueSorted(values);

/** Trimmed, lower-cased, deduplicated, sorted (tool names, risk classes, kinds, sources...). */
export const normalizeListLower = (values: readonly string[] | undefined): string[] =>
  uniqueSorted((values ?? []).map((v) => v.trim().toLowerCase()));

export const mergeUniqueSorted = (a: readonly string[], b: readonly string[]): string[] => uniqueSorted([...a, ...b]);

/**
 * Go's sort.Strings compares UTF-8 bytes; JS `<` compares UTF-16 code units. They agree except for
 * astral characters vs U+E000..U+FFFF, so compare code points to match Go everywhere.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

export const VERDICTS = ['allow', 'dry_run', 'require_approval', 'block'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const isVerdict = (v: string): v is Verdict => (VERDICTS as readonly string[]).includes(v);

const RANK: Record<Verdict, number> = { allow: 0, dry_run: 1, require_approval: 2, block: 3 };
/** gait's mostRestrictiveVerdict: allow < dry_run < require_approval < block. */
export const mostRestrictive = (a: Verdict, b: Verdict): Verdict => (RANK[b] > RANK[a] ? b : a);

/** gait's sanitizeName for `matched_rule_<name>`: JSON-escape, spaces and dashes to `_`, lower case. */
export function sanitizeName(name: string): string {
  if (name === '') return 'rule';
  // Go's json.Marshal also escapes <, > and & (HTML-safe); the reason code must match gait's.
  const escaped = JSON.stringify(name)
    .slice(1, -1)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
  return escaped.replaceAll(' ', '_').replaceAll('-', '_').toLowerCase();
}
