import { POLICY_LIMITS } from '#gate';

/** Policy texts that froze, crashed or 500'd Warden before the limits (issue 17, D), each with the limit that now refuses it. */

/** The classic billion laughs: nine levels of nine aliases each, 9^9 strings once expanded, 400 bytes of text. */
export function billionLaughs(): string {
  let y = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const n of 'bcdefghi') {
    y += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return `${y}rules: *${prev}\n`;
}

export const HOSTILE_POLICIES: Array<{ what: string; limit: keyof typeof POLICY_LIMITS; yaml: () => string }> = [
  { what: 'an alias bomb', limit: 'max_aliases', yaml: billionLaughs },
  { what: 'nested brackets', limit: 'max_depth', yaml: () => `rules: ${'['.repeat(60_000)}${']'.repeat(60_000)}` },
  { what: '"- - - …" on one line', limit: 'max_depth', yaml: () => `rules:\n${'- '.repeat(60_000)}x\n` },
  { what: 'a wide alias expansion', limit: 'max_nodes', yaml: () => `x: &x [${Array(2000).fill('v').join(',')}]\ny: [${Array(60).fill('*x').join(',')}]\n` },
  { what: 'a file over max_bytes', limit: 'max_bytes', yaml: () => `# ${'x'.repeat(POLICY_LIMITS.max_bytes)}\nrules: []\n` },
  { what: 'more than max_rules rules', limit: 'max_rules', yaml: () => `rules:\n${Array.from({ length: POLICY_LIMITS.max_rules + 1 }, (_, i) => `  - {name: r${i}, effect: allow}`).join('\n')}\n` },
];

/** The largest policy the limits accept, give or take: verbose rules up to max_bytes. */
export function largestAcceptedPolicy(): string {
  const rule = (i: number) => `  - name: r${i}\n    priority: ${i}\n    effect: allow\n    match: {tool_names: [t.op${i}], identities: [a${i}]}\n`;
  let y = 'default_verdict: block\nrules:\n';
  for (let i = 0; i < POLICY_LIMITS.max_rules && y.length + rule(i).length <= POLICY_LIMITS.max_bytes; i++) y += rule(i);
  return y;
}
