import { AuditChainService } from '#platform';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The weekly checkpoint (issue 17 F, docs/audit.md): the Monday review records each hash chain's
 * head, so a week's record can be checked later against the published report.
 */
describe('the Monday review records each chain head as a checkpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('the report carries the heads as they were when it was written, the page shows them, and the record verifies against them', async () => {
    const before = (await t.http('GET', '/api/governance/audit/heads')).body.heads;
    const generated = await t.http('POST', '/api/governance/reviews/2020-W05/generate', {});
    expect(generated.status).toBe(201);
    const report = generated.body.report ?? generated.body;
    const heads = report.audit_chain.heads as Array<{ log: string; rows: number; head_hash: string }>;
    expect(heads.map((h) => h.log).sort()).toEqual(before.map((h: { log: string }) => h.log).sort());
    for (const h of heads) expect(h.head_hash).toMatch(/^[0-9a-f]{64}$/);
    const page = await t.http<string>('GET', '/api/governance/reviews/2020-W05.html');
    expect(page.body).toContain('Audit checkpoint');
    for (const h of heads) expect(page.body).toContain(h.head_hash);

    // Later activity leaves the checkpoint a prefix of the chain: the record still verifies through it.
    await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'after the checkpoint' });
    const report2 = await t.app.get(AuditChainService).verify(heads);
    expect(report2.chains.every((c) => c.intact)).toBe(true);

    // A checkpoint that does not match the record (a rewritten chain) is reported.
    const forged = heads.map((h) => (h.rows > 0 ? { ...h, head_hash: '0'.repeat(64) } : h));
    const report3 = await t.app.get(AuditChainService).verify(forged);
    expect(report3.chains.some((c) => !c.intact)).toBe(true);
  });
});
