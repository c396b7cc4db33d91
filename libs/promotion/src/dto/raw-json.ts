import { numberSourceText } from '#platform';

/**
 * The JSON text of a value of a parsed request body, numbers spelled as the client wrote them: the
 * platform's body parser keeps the source of every number not in its shortest form (`1.0`, `1e3`),
 * which JSON.parse loses and a menace signature covers (Python writes `1.0`). Key order and
 * whitespace do not matter to the signature (it is over sorted, compact JSON).
 */
export function rawJsonText(value: unknown, container?: unknown, key?: string | number): string {
  if (typeof value === 'number') return (container !== undefined && key !== undefined ? numberSourceText(container, key) : undefined) ?? JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => rawJsonText(v, value, i)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${rawJsonText(v, value, k)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
