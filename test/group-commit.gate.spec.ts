import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { GateDecisionWriter } from '../libs/gate/src/decision-writer.js';
import { evaluate, intent, putPolicy, STANDARD_POLICY } from './support/factories/gate.js';
import { holdTableLock, lockWaiters, recordStatements, waitUntil } from './support/group-commit.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * A poison decision row in a gate group commit fails alone (libs/platform/src/database/group-commit.ts).
 * Real evaluations over HTTP share a batch with one row that violates gate_decision's verdict CHECK
 * (as a verdict added in code but not in the schema would): the evaluations are still stored and
 * answered, the poison row gets its own error.
 *
 * A side transaction holds gate_decision in SHARE mode (reads go on, inserts wait) while the writer's
 * one batch is in flight (docs/audit.md: one insert at a time, since the hash chain serialises
 * them anyway), so everything else queues and goes as the next batch together.
 */
describe('gate group commit: a poison decision row fails alone', () => {
  let t: TestApp;
  let engine: string;
  let writer: GateDecisionWriter;

  beforeAll(async () => {
    t = await startTestApp();
    // An engine token claims only the identities it is bound to (docs/auth.md): these tests' agents.
    engine = await t.token('engine', { identities: ['agent-alice', 'blocker-1', 'blocker-2', ...Array.from({ length: 10 }, (_, i) => `gc-${i}`)] });
    expect((await putPolicy(t, 'default', STANDARD_POLICY)).status).toBe(200);
    writer = t.app.get(GateDecisionWriter);
  });
  afterAll(async () => t?.close());

  it('ten evaluations and one row the database refuses share a batch: the ten are stored and answered, the row fails with its constraint', async () => {
    // Warm the policy and trust caches, so the evaluations below only wait on their decision row.
    expect((await evaluate(t, { intent: intent('tool.read') }, engine)).status).toBe(200);
    const lock = await holdTableLock(t.databaseUrl, 'gate_decision', 'SHARE');
    const batches = recordStatements(t.app.get(DataSource), 'INSERT INTO gate_decision');
    try {
      const blockers = [evaluate(t, { intent: intent('tool.read', 'blocker-1') }, engine), evaluate(t, { intent: intent('tool.read', 'blocker-2') }, engine)];
      await waitUntil(async () => writer.pending === 2 && (await lockWaiters(t.sql)) >= 1, 'the first blocker in flight to wait for the lock, the second queued');

      // gc-0, 2, 4 ... read (200 allow), gc-1, 3, 5 ... delete (403 block): both are stored decisions.
      const call = (n: number) => evaluate(t, { intent: intent(n % 2 === 0 ? 'tool.read' : 'tool.delete', `gc-${n}`) }, engine);
      const first = [0, 1, 2, 3, 4].map(call);
      await waitUntil(() => writer.pending === 7, 'five evaluations to queue');
      const poisonId = randomUUID();
      const poison = writer.write({
        id: poisonId,
        intentDigest: null,
        policyName: 'default',
        policyDigest: null,
        mode: 'enforce',
        verdict: 'maybe' as never, // not in ck_gate_decision_verdict
        wouldHaveBlocked: false,
        reasonCodes: [],
        trace: [],
        identity: 'gc-poison',
        engine: null,
        principal: 'test',
        tokenId: 'test',
        approvalId: null,
        approvalUse: null,
        simulate: false,
        at: t.clock.now(),
      });
      const second = [5, 6, 7, 8, 9].map(call);
      await waitUntil(() => writer.pending === 13, 'the other five evaluations to queue');
      await lock.release();

      const [poisoned, ...answers] = await Promise.all([poison.then(() => undefined, (e: unknown) => e), ...blockers, ...first, ...second]);
      expect(poisoned).toMatchObject({ code: '23514', constraint: 'ck_gate_decision_verdict' });
      answers.forEach((a, i) => {
        const identity = i < 2 ? `blocker-${i + 1}` : `gc-${i - 2}`;
        const read = i < 2 || (i - 2) % 2 === 0;
        expect({ identity, status: a.status, verdict: a.body.verdict }).toEqual({ identity, status: read ? 200 : 403, verdict: read ? 'allow' : 'block' });
      });

      // The twelve queued rows went as one INSERT, which the poison failed; the halves found it.
      const ids = batches.params.map((p) => (JSON.parse(p[0] as string) as Array<{ id: string; identity: string }>).map((r) => r.identity));
      expect(ids.slice(0, 2).map((b) => b.length)).toEqual([1, 12]);
      expect(ids[1]).toContain('gc-poison');
      expect(ids.filter((b) => b.includes('gc-poison')).at(-1)).toEqual(['gc-poison']);

      const stored = await t.sql(`SELECT identity, verdict FROM gate_decision WHERE identity LIKE 'gc-%' OR identity LIKE 'blocker-%' ORDER BY identity`);
      expect(stored.map((r) => r.identity).sort()).toEqual([...['blocker-1', 'blocker-2'], ...Array.from({ length: 10 }, (_, i) => `gc-${i}`)].sort());
      const allowedIds = answers.filter((a) => a.status === 200).map((a) => a.body.decision_id as string);
      expect(await t.sql(`SELECT id FROM gate_decision WHERE id = ANY ($1::uuid[]) ORDER BY id`, [allowedIds])).toEqual([...allowedIds].sort().map((id) => ({ id })));
      expect(await t.sql(`SELECT id FROM gate_decision WHERE id = $1`, [poisonId])).toEqual([]);
    } finally {
      batches.stop();
      await lock.release();
    }
  });
});
