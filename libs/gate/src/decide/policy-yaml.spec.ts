import { GateInputError } from './input-error.js';
import { parsePolicyYaml } from './policy.js';
import { decodePolicyYaml, POLICY_LIMITS, type PolicyLimit, PolicyLimitError } from './policy-yaml.js';

/** The classic billion laughs: nine levels of nine aliases each, 9^9 strings once expanded, 400 bytes of text. */
function billionLaughs(): string {
  let y = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const n of 'bcdefghi') {
    y += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return `${y}rules: *${prev}\n`;
}

/** The largest policy the limits accept, give or take: max_rules verbose rules, just under max_bytes. */
function largestAcceptedPolicy(): string {
  const rule = (i: number) => `  - name: r${i}\n    priority: ${i}\n    effect: allow\n    match: {tool_names: [t.op${i}], identities: [a${i}]}\n`;
  let y = 'default_verdict: block\nrules:\n';
  for (let i = 0; i < POLICY_LIMITS.max_rules && y.length + rule(i).length <= POLICY_LIMITS.max_bytes; i++) y += rule(i);
  return y;
}

/**
 * The CPU time `f` takes (user + system, ms), and its wall time: the bound is on CPU, which other
 * processes on a shared machine do not inflate (the machine these were measured on ran at load 12).
 */
function timed<T>(f: () => T): { value: T; cpuMs: number; wallMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = f();
  const used = process.cpuUsage(cpu);
  return { value, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
}

/** Refused with the named limit; the time it took. */
function refusedFor(limit: PolicyLimit, text: string): { cpuMs: number; wallMs: number } {
  const { value: error, cpuMs, wallMs } = timed(() => {
    try {
      parsePolicyYaml(text);
    } catch (e) {
      return e;
    }
    return undefined;
  });
  expect(error).toBeInstanceOf(PolicyLimitError);
  expect((error as PolicyLimitError).limit).toBe(limit);
  expect((error as Error).message).toContain(limit);
  return { cpuMs, wallMs };
}

describe('policy YAML within POLICY_LIMITS (issue 17: nothing a user writes can freeze Warden)', () => {
  // Each of these froze or crashed the process, or answered 500, before the limits (times on a 2-core machine).
  const hostile: Array<[string, PolicyLimit, () => string]> = [
    ['an alias bomb (was a ReferenceError, a 500)', 'max_aliases', billionLaughs],
    ['101 aliases (20,000 took 30 s)', 'max_aliases', () => `x: &x 1\ny: [${Array(101).fill('*x').join(',')}]\n`],
    ['101 anchors', 'max_aliases', () => Array.from({ length: 101 }, (_, i) => `k${i}: &a${i} 1`).join('\n')],
    ['a wide expansion: one 2,000-item list aliased 60 times (within maxAliasCount)', 'max_nodes', () => `x: &x [${Array(2000).fill('v').join(',')}]\ny: [${Array(60).fill('*x').join(',')}]\n`],
    ['nested [ filling the size limit (512 KiB took 4 s)', 'max_depth', () => `rules: ${'['.repeat(60_000)}${']'.repeat(60_000)}`],
    ['"- - - …" on one line (ran the parser out of memory)', 'max_depth', () => `rules:\n${'- '.repeat(60_000)}x\n`],
    ['maps nested by indentation', 'max_depth', () => Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n'],
    ['an alias to its own ancestor (a cycle)', 'max_depth', () => 'rules: &r [*r]\n'],
    ['a file over max_bytes', 'max_bytes', () => `# ${'x'.repeat(POLICY_LIMITS.max_bytes)}\nrules: []\n`],
    ['a file over max_bytes in UTF-8 only', 'max_bytes', () => `# ${'é'.repeat(POLICY_LIMITS.max_bytes / 2 + 1)}\nrules: []\n`],
    ['more than max_rules rules', 'max_rules', () => `rules:\n${Array.from({ length: POLICY_LIMITS.max_rules + 1 }, (_, i) => `  - {name: r${i}, effect: allow}`).join('\n')}\n`],
  ];
  it.each(hostile)('refuses %s, naming %s, within a second of CPU', (_what, limit, build) => {
    const text = build();
    const { cpuMs, wallMs } = refusedFor(limit, text);
    process.stdout.write(`policy limit ${limit}: ${text.length} chars refused in ${cpuMs.toFixed(1)} ms CPU (${wallMs.toFixed(1)} ms wall)\n`);
    expect(cpuMs).toBeLessThan(1000);
  });

  it('a map with as many keys as the size allows is read in one pass (40,000 keys took 45 s with the package’s duplicate check)', () => {
    const keys = Math.floor(POLICY_LIMITS.max_bytes / 12);
    const text = `rules: []\nx:\n${Array.from({ length: keys }, (_, i) => `  k${i}: 1`).join('\n')}\n`;
    const { cpuMs, wallMs } = timed(() => expect(() => parsePolicyYaml(text)).toThrow('unknown'));
    process.stdout.write(`policy with ${keys} keys in one map: ${cpuMs.toFixed(1)} ms CPU (${wallMs.toFixed(1)} ms wall)\n`);
    expect(cpuMs).toBeLessThan(1000);
  });

  it('the largest accepted policy parses within a second of CPU (the time is printed)', () => {
    const text = largestAcceptedPolicy();
    parsePolicyYaml(text); // warm the JIT as a long-running server is
    const { value: policy, cpuMs, wallMs } = timed(() => parsePolicyYaml(text));
    process.stdout.write(`largest accepted policy: ${text.length} bytes, ${policy.rules.length} rules, parsed in ${cpuMs.toFixed(1)} ms CPU (${wallMs.toFixed(1)} ms wall)\n`);
    expect(policy.rules.length).toBeGreaterThan(1000);
    expect(cpuMs).toBeLessThan(1000);
  });

  it('strictness is kept: duplicate keys, non-scalar keys and a second document are refused; the limits are exact', () => {
    expect(() => decodePolicyYaml('a: 1\nb: 2\na: 3\n')).toThrow('unique');
    expect(() => decodePolicyYaml('rules:\n  - {name: r, effect: allow, name: q}\n')).toThrow('unique');
    expect(() => decodePolicyYaml('? [a]\n: 1\n')).toThrow('scalars');
    expect(() => decodePolicyYaml('rules: []\n---\nrules: []\n')).toThrow('one YAML document');
    expect(() => decodePolicyYaml('a: *nowhere\n')).toThrow(GateInputError);
    // At the bound, accepted: 100 aliases, max_rules rules, a document of exactly max_bytes.
    expect(decodePolicyYaml(`x: &x 1\ny: [${Array(100).fill('*x').join(',')}]\n`)).toMatchObject({ x: 1 });
    const rules = `rules:\n${Array.from({ length: POLICY_LIMITS.max_rules }, (_, i) => `  - {name: r${i}, effect: allow}`).join('\n')}\n`;
    expect(parsePolicyYaml(rules).rules).toHaveLength(POLICY_LIMITS.max_rules);
    const exact = 'rules: []\n#';
    expect(decodePolicyYaml(exact + 'x'.repeat(POLICY_LIMITS.max_bytes - exact.length))).toEqual({ rules: [] });
    // Aliases in ordinary use still work.
    const shared = parsePolicyYaml('rules:\n  - {name: a, effect: allow, match: {tool_names: &reads [tool.read, tool.list]}}\n  - {name: b, effect: block, match: {tool_names: *reads}}\n');
    expect(shared.rules.map((r) => r.match.tool_names)).toEqual([['tool.list', 'tool.read'], ['tool.list', 'tool.read']]);
  });
});
