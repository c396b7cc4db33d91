import { startTestApp, type TestApp } from './support/test-app.js';

/** The example AI engine in apps/api: an offer recommender on WHOLESALE_OFFER that only sends what Heimdall lets out. */
describe('offers example engine (Heimdall two-line integration)', () => {
  let t: TestApp;
  let engine: string;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    [operator, viewer] = await Promise.all([t.token('operator'), t.token('viewer')]);
    engine = await t.token('engine', { domains: ['WHOLESALE_OFFER'] });
  });
  afterAll(() => t.close());

  const send = (body: Record<string, unknown>) => t.http('POST', '/api/offers', body, { token: engine });
  const sent = async () => (await t.http('GET', '/api/offers', undefined, { token: viewer })).body;

  it('sends nothing while the seeded policy keeps prod use disabled, and says why', async () => {
    const refused = await send({ buyer: 'ACME', amount: 1250, confidence: 0.97 });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'heimdall_gate_failed' });
    expect(refused.body.reason_codes[0]).toBe('prod_use_disabled');
    expect(refused.body.details.gates.find((g: any) => g.gate === 'min_sandbox_trials').distance).toMatch(/^75 more trials/);
    expect(await sent()).toEqual([]);
    // The refusal is on record, although no offer went out.
    const [event] = await t.sql(`SELECT kind, outcome FROM heimdall_event WHERE kind = 'recommendation.checked' ORDER BY id DESC LIMIT 1`);
    expect(event).toEqual({ kind: 'recommendation.checked', outcome: 'prod_use_disabled' });
  });

  it('earns production in the sandbox, then sends only eligible offers', async () => {
    // The operator's act: enable prod use (and, for a short test, ask for 10 trials instead of 75).
    const upsert = await t.http('POST', '/api/governance/heimdall/policies/upsert', { domain: 'WHOLESALE_OFFER', prod_use_enabled: true, min_trials: 10 }, { token: operator });
    expect(upsert.status).toBe(200);

    for (let i = 0; i < 10; i++) {
      const res = await t.http('POST', '/api/offers/trial', { buyer: `sandbox-${i}`, amount: '100.00', accepted: i !== 0, confidence: 0.94 }, { token: engine });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ domain: 'WHOLESALE_OFFER', success: i !== 0 });
    }

    const low = await send({ buyer: 'ACME', amount: '1250.00', confidence: 0.9 });
    expect(low.status).toBe(403);
    expect(low.body.reason_codes).toEqual(['confidence_below_threshold']);

    const ok = await send({ buyer: 'ACME', amount: '1250.00', confidence: 0.95, correlation_id: 'acme-1' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ buyer: 'ACME', amount: '1250', correlation_id: 'acme-1' });
    const rec = await t.http('GET', `/api/governance/heimdall/recommendations/${ok.body.recommendation_id}`, undefined, { token: viewer });
    expect(rec.body).toMatchObject({ domain: 'WHOLESALE_OFFER', prod_eligible: true, payload: { buyer: 'ACME', amount: '1250' } });
    expect(rec.body.checks).toEqual([expect.objectContaining({ outcome: 'gate_pass', prod_eligible: true })]);

    const retry = await send({ buyer: 'ACME', amount: 1250, confidence: '0.950', correlation_id: 'acme-1' });
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(ok.body.id);
    expect(await sent()).toHaveLength(1);
  });

  it('reusing a key with another buyer, amount or confidence is 409 idempotency_conflict, and reveals nothing', async () => {
    for (const changed of [{ buyer: 'MALLORY', amount: '99999' }, { buyer: 'MALLORY' }, { amount: '1250.01' }, { confidence: 0.96 }]) {
      const res = await send({ buyer: 'ACME', amount: '1250.00', confidence: 0.95, correlation_id: 'acme-1', ...changed });
      expect({ changed, status: res.status, error: res.body.error }).toEqual({ changed, status: 409, error: 'idempotency_conflict' });
      expect(JSON.stringify(res.body)).not.toMatch(/ACME|1250|recommendation/);
    }
    expect(await sent()).toHaveLength(1);
  });

  it('the kill switch stops sending (PROD_EXEC) but not sandbox trials', async () => {
    await t.http('POST', '/api/governance/go-live/kill-switch/engage', { reason: 'drill' }, { token: operator });
    try {
      const blocked = await send({ buyer: 'ACME', amount: 10, confidence: 0.99 });
      expect(blocked.status).toBe(403);
      expect(blocked.body.error).toBe('kill_switch_engaged');
      const trial = await t.http('POST', '/api/offers/trial', { buyer: 'sandbox', amount: 10, accepted: true, confidence: 0.99 }, { token: engine });
      expect(trial.status).toBe(201);
    } finally {
      await t.http('POST', '/api/governance/go-live/kill-switch/release', { reason: 'drill over' }, { token: operator });
    }
    expect(await sent()).toHaveLength(1);
  });

  it('bad offer bodies are 400 and send nothing', async () => {
    for (const body of [
      { buyer: 'ACME', amount: -5, confidence: 0.95 },
      { buyer: 'ACME', amount: 10, confidence: 1.5 },
      { buyer: 'ACME', amount: 10 },
      { buyer: 'ACME', amount: 10, confidence: 0.95, domain: 'CAPITAL_ROUTE' },
    ]) {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
    }
    expect(await sent()).toHaveLength(1);
  });
});
