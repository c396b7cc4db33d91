import { randomBytes } from 'node:crypto';
import type { TestApp } from '../test-app.js';

export const C = '/api/governance/changes';
export const G = '/api/governance';

/** A fresh run id per story, so tests never share a run. */
export const runId = (prefix = 'run') => `${prefix}-${randomBytes(4).toString('hex')}`;

/** The example change, with overrides. */
export function change(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    run_id: runId(),
    phase_id: 'p1',
    paths: ['tests/test_a.py', 'docs/GUIDE.md'],
    diff_stats: { lines_changed: 50, lines_removed: 0 },
    justification: 'add a test and its guide',
    task_category: 'refactor',
    description: 'tidy the helpers',
    ...over,
  };
}

export const propose = (t: TestApp, token: string, over: Record<string, unknown> = {}) => t.http('POST', C, change(over), { token });

/** A held change (a path on NEVER_AUTO_APPROVE unless `paths` says otherwise). */
export async function held(t: TestApp, token: string, over: Record<string, unknown> = {}) {
  const res = await propose(t, token, { paths: ['src/app/service.py'], ...over });
  if (res.status !== 202) throw new Error(`expected a held change, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { request_id: string; approval_id: string; risk_level: string; tier: number };
}
