/**
 * How the review page words its names and numbers: snake_case keys and codes as words a person
 * reads, ratios as percentages. Pure, shared by the page's tables and its charts.
 */

/** Words written in capitals wherever they appear in a name. */
const ACRONYMS = new Set(['id', 'ids', 'ttl', 'url', 'api', 'cel', 'hmac', 'utc', 'kpi', 'sso', 'oidc', 'p95', 'p99']);

/**
 * A snake_case (or kebab-case) name as words: `max_daily_exposure` → "Max daily exposure",
 * `engine_open_risk_cap` → "Engine open risk cap", `p95_seconds_to_decision` → "P95 seconds to
 * decision". Upper-case identifiers (engines and domains: `WHOLESALE`, `BUYER_MATCH`) are names an
 * operator types and searches for: they are kept exactly. Anything else (already words, mixed
 * case, empty) is returned unchanged.
 */
export function humanize(name: string): string {
  if (!/^[a-z0-9]+([_-][a-z0-9]+)*$/.test(name)) return name;
  const words = name.split(/[_-]/).map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w));
  const first = words[0];
  words[0] = first === first.toUpperCase() ? first : first[0].toUpperCase() + first.slice(1);
  return words.join(' ');
}

/**
 * A ratio in [0, 1] (a decimal string as the report stores it, or a number) as a percentage with
 * one decimal: "0.0000" → "0.0%", "0.8123" → "81.2%", "1" → "100.0%". Null, undefined and
 * anything that is not a number read as "—" (no value), never as 0 %.
 */
export function formatPercent(ratio: string | number | null | undefined): string {
  if (ratio === null || ratio === undefined || ratio === '') return '—';
  const n = Number(ratio);
  if (!Number.isFinite(n)) return '—';
  // Round half away from zero on the tenth of a percent, without float noise (0.0005 → 0.1%).
  const tenths = Math.round(Math.abs(n) * 1000 + 1e-9) * Math.sign(n);
  return `${(tenths / 10).toFixed(1)}%`;
}

/**
 * A difference of two ratios (value − gate) in percentage points, signed: "-0.05" → "−5.0 pt",
 * "0.012" → "+1.2 pt".
 */
export function formatPoints(diff: string | number | null | undefined): string {
  if (diff === null || diff === undefined || diff === '') return '—';
  const n = Number(diff);
  if (!Number.isFinite(n)) return '—';
  const tenths = Math.round(Math.abs(n) * 1000 + 1e-9);
  if (tenths === 0) return '0.0 pt';
  return `${n < 0 ? '−' : '+'}${(tenths / 10).toFixed(1)} pt`;
}

/** Whether a column (or key) holds a ratio in [0, 1], which the page shows as a percentage. */
export function isRatioKey(key: string): boolean {
  return /(^|_)(ratio|rate|confidence)$/.test(key);
}
