import { PROMOTION, CARDS, hmacHex, OVERRIDE_KEY, PromotionFactory, signedOverride } from './support/factories/promotion.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let f: PromotionFactory;

beforeAll(async () => {
  t = await startTestApp({ env: { WARDEN_OVERRIDE_KEY: OVERRIDE_KEY } });
  f = await PromotionFactory.create(t);
});
afterAll(async () => {
  await t?.close();
});

describe('POST /heimdall/promotion/evaluate', () => {
  it('a veto demotes, the micro-pilot trigger pilots, a strong card promotes; each is logged with its full input', async () => {
    const veto = await f.evaluate({ domain: 'PROMO_A', scorecard: CARDS.veto });
    expect(veto.status).toBe(200);
    expect(veto.body).toMatchObject({ verdict: 'demote', reason_codes: ['alignment_veto'] });
    const pilot = await f.evaluate({ domain: 'PROMO_A', scorecard: CARDS.microPilot });
    expect(pilot.body).toMatchObject({ verdict: 'pilot', reason_codes: ['micro_pilot'], overrides: { mode: 'micro-pilot' } });
    const promote = await f.evaluate({ domain: 'PROMO_A', scorecard: CARDS.strong, policy: { raroi_threshold: 1.2 } });
    expect(promote.body).toMatchObject({ verdict: 'promote', reason_codes: [] });
    expect(promote.body.trace.length).toBeGreaterThan(0);
    const [row] = await t.sql(`SELECT source, domain, scorecard, policy, verdict, override_digest, rules_digest FROM promotion_decision WHERE id = $1`, [promote.body.decision_id]);
    expect(row).toMatchObject({ source: 'api', domain: 'PROMO_A', scorecard: CARDS.strong, policy: { raroi_threshold: 1.2 }, verdict: 'promote', override_digest: null });
  });

  it('is for operators: a viewer or an engine token is refused', async () => {
    expect((await f.evaluate({ scorecard: CARDS.strong }, f.tokens.viewer)).status).toBe(403);
    expect((await f.evaluate({ scorecard: CARDS.strong }, f.tokens.engine)).status).toBe(403);
  });

  it('an invalid scorecard is 400 invalid_scorecard', async () => {
    const res = await f.evaluate({ scorecard: { raroi: '1.2' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scorecard');
  });
});

describe('signed single-use overrides', () => {
  it('a valid signed forced verdict replaces the verdict and is recorded once, audited', async () => {
    const override = signedOverride({ verdict: 'promote', reason: 'break-glass' });
    const res = await f.evaluate({ domain: 'PROMO_B', scorecard: CARDS.weak, override });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'promote', reason_codes: ['raroi_below_threshold', 'manual_override'], overrides: { verdict: 'promote' } });
    const uses = await t.sql(`SELECT decision_id FROM promotion_override_use WHERE decision_id = $1`, [res.body.decision_id]);
    expect(uses).toHaveLength(1);
    expect((await f.audits('promotion.override.use')).some((a) => a.details.decision_id === res.body.decision_id)).toBe(true);
  });

  it('the signature is checked on the numbers as written: data with 1.0 (as Python writes it) verifies', async () => {
    const canonical = '{"issued_at":"2031-01-01T00:00:00Z","verdict":"promote","weight":1.0}';
    const body = `{"scorecard": {"raroi": 0.5, "confidence": 0.9}, "override": {"data": {"weight": 1.0, "verdict": "promote", "issued_at": "2031-01-01T00:00:00Z"}, "signature": "${hmacHex(canonical)}"}}`;
    const res = await f.evaluateRaw(body);
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('promote');
    // the same file as a JSON string field, byte for byte, is the same override: a replay
    const file = `{"data": {"weight": 1.0, "verdict": "promote", "issued_at": "2031-01-01T00:00:00Z"}, "signature": "${hmacHex(canonical)}"}`;
    const again = await f.evaluate({ scorecard: CARDS.weak, override_json: file });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('override_replayed');
  });

  it('a bad signature is refused 403 override_invalid and audited; the request records nothing', async () => {
    const override = signedOverride({ verdict: 'promote' }, 'another-key-entirely-xxxxxx');
    const before = await t.sql(`SELECT count(*)::int AS n FROM promotion_decision`);
    const res = await f.evaluate({ domain: 'PROMO_C', scorecard: CARDS.weak, override });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('override_invalid');
    expect(res.body.details.reason).toBe('override_bad_signature');
    expect(JSON.stringify(res.body)).not.toContain(OVERRIDE_KEY);
    expect(await t.sql(`SELECT count(*)::int AS n FROM promotion_decision`)).toEqual(before);
    const refused = await f.audits('promotion.override.refused');
    expect(refused.some((a) => a.details.reason === 'override_bad_signature' && a.details.domain === 'PROMO_C')).toBe(true);
  });

  it('an unsigned override (flags without a signature) is refused and audited', async () => {
    const res = await f.evaluate({ domain: 'PROMO_C', scorecard: CARDS.weak, override: { data: { verdict: 'promote' } } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'override_invalid', details: { reason: 'invalid_override' } });
    expect((await f.audits('promotion.override.refused')).some((a) => a.details.reason === 'invalid_override')).toBe(true);
  });

  it('a replay is refused 409 override_replayed: the same file twice, and re-serialised with other whitespace and key order', async () => {
    const override = signedOverride({ verdict: 'promote' });
    expect((await f.evaluate({ scorecard: CARDS.weak, override })).status).toBe(200);
    const twice = await f.evaluate({ scorecard: CARDS.weak, override });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe('override_replayed');
    const reordered = { signature: override.signature, data: Object.fromEntries(Object.entries(override.data).reverse()) };
    const spaced = `{\n  "scorecard": {"raroi": 0.5},\n  "override": ${JSON.stringify(reordered, null, 4)}\n}`;
    const copy = await f.evaluateRaw(spaced);
    expect(copy.status).toBe(409);
    const asText = await f.evaluate({ scorecard: CARDS.weak, override_json: JSON.stringify(override, null, 2) });
    expect(asText.status).toBe(409);
    const uses = await t.sql(`SELECT count(*)::int AS n FROM promotion_override_use u JOIN promotion_decision d ON d.id = u.decision_id WHERE d.override_digest = u.signature_digest`);
    expect(uses[0].n).toBeGreaterThan(0);
    expect((await f.audits('promotion.override.refused')).filter((a) => a.details.code === 'override_replayed').length).toBeGreaterThanOrEqual(3);
  });

  it('an unknown forced value is ignored (and traced); the override is still used once', async () => {
    const res = await f.evaluate({ scorecard: CARDS.weak, override: signedOverride({ verdict: 'yolo' }) });
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('no_go');
    expect(res.body.reason_codes).toEqual(['raroi_below_threshold']);
    expect(res.body.trace).toContainEqual(expect.objectContaining({ step: 'override', result: 'ignored_unknown_verdict' }));
  });

  it('a forced verdict applies after a veto (as in menace)', async () => {
    const res = await f.evaluate({ scorecard: CARDS.veto, override: signedOverride({ forced_verdict: 'promote' }) });
    expect(res.body).toMatchObject({ verdict: 'promote', reason_codes: ['alignment_veto', 'manual_override'] });
  });

  it('bypass_micro_pilot skips the trigger only with a valid signature', async () => {
    const res = await f.evaluate({ scorecard: CARDS.microPilot, override: signedOverride({ bypass_micro_pilot: true }) });
    expect(res.body.verdict).toBe('promote');
  });
});

describe('rules', () => {
  it('a rule that does not compile is 400 naming the rule; nothing is stored', async () => {
    const res = await f.putRules({ source: '- decision: pilot\n  condition: "raroi < 1.2"\n  reason_code: ok\n- decision: no_go\n  condition: "card.raroi < 1"\n  reason_code: bad\n' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('rule 2 (bad)');
    expect((await t.http('GET', `${PROMOTION}/rules`, undefined, { token: f.tokens.viewer })).body.version).toBeNull();
  });

  it('PUT stores a new version (audited) that evaluations then use; GET shows it; a JSON list works too', async () => {
    const put = await f.putRules({ source: '- decision: pilot\n  condition: "raroi is not None and raroi < 1.5"\n  reason_code: near_miss_pilot\n', reason: 'tighten' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: expect.any(String), rule_count: 1, reason: 'tighten' });
    const got = await t.http('GET', `${PROMOTION}/rules`, undefined, { token: f.tokens.viewer });
    expect(got.body).toEqual(put.body);
    const res = await f.evaluate({ scorecard: CARDS.strong });
    expect(res.body).toMatchObject({ verdict: 'pilot', reason_codes: ['near_miss_pilot'] });
    const [row] = await t.sql(`SELECT rules_version::text AS v, rules_digest FROM promotion_decision WHERE id = $1`, [res.body.decision_id]);
    expect(row).toEqual({ v: put.body.version, rules_digest: put.body.digest });
    expect((await f.audits('promotion.rules.put')).at(-1)).toMatchObject({ reason: 'tighten', details: { version: put.body.version } });
    const list = await f.putRules({ rules: [] });
    expect(list.status).toBe(200);
    expect(Number(list.body.version)).toBe(Number(put.body.version) + 1);
    expect((await f.evaluate({ scorecard: CARDS.strong })).body.verdict).toBe('promote');
    expect((await f.putRules({ rules: [], source: '[]' })).status).toBe(400);
    expect((await f.putRules({ source: '[]' }, f.tokens.viewer)).status).toBe(403);
  });

  it('rules given with the request apply to it alone', async () => {
    const res = await f.evaluate({ scorecard: CARDS.strong, rules: [{ decision: 'demote', condition: 'confidence > 0.5', reason_code: 'custom' }] });
    expect(res.body).toMatchObject({ verdict: 'demote', reason_codes: ['custom'] });
  });
});

describe('GET /heimdall/promotion/decisions', () => {
  it('pages newest first with filters, and exports JSONL', async () => {
    for (let i = 0; i < 3; i += 1) await f.evaluate({ domain: 'PROMO_PAGE', scorecard: CARDS.veto });
    await f.evaluate({ domain: 'PROMO_PAGE', scorecard: CARDS.strong });
    const first = await t.http('GET', `${PROMOTION}/decisions?domain=PROMO_PAGE&limit=2`, undefined, { token: f.tokens.viewer });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].verdict).toBe('promote');
    expect(first.body.next_cursor).toEqual(first.body.items[1].seq);
    const second = await t.http('GET', `${PROMOTION}/decisions?domain=PROMO_PAGE&limit=2&before=${first.body.next_cursor}`, undefined, { token: f.tokens.viewer });
    expect(second.body.items).toHaveLength(2);
    expect(second.body.next_cursor).toBeNull();
    const demotes = await t.http('GET', `${PROMOTION}/decisions?domain=PROMO_PAGE&verdict=demote`, undefined, { token: f.tokens.viewer });
    expect(demotes.body.items.map((d: { verdict: string }) => d.verdict)).toEqual(['demote', 'demote', 'demote']);
    expect(demotes.body.items[0]).toMatchObject({ scorecard: CARDS.veto, reason_codes: ['alignment_veto'], source: 'api' });

    const res = await fetch(`${t.url}${PROMOTION}/decisions.jsonl?domain=PROMO_PAGE`, { headers: { authorization: `Bearer ${f.tokens.viewer}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([...first.body.items, ...second.body.items].map((d: { id: string }) => d.id));
    expect((await t.http('GET', `${PROMOTION}/decisions?verdict=maybe`, undefined, { token: f.tokens.viewer })).status).toBe(400);
  });

  it('the log is append-only', async () => {
    await expect(t.sql(`UPDATE promotion_decision SET verdict = 'promote'`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`DELETE FROM promotion_override_use`)).rejects.toThrow(/append-only/);
  });
});

describe('WARDEN_OVERRIDE_KEY', () => {
  it('is a secret: a blank key is refused without echoing it', async () => {
    const { loadConfig } = await import('#platform');
    expect(() => loadConfig({ WARDEN_OVERRIDE_KEY: ' \t ' })).toThrow(/WARDEN_OVERRIDE_KEY must not be blank/);
    expect(loadConfig({ WARDEN_OVERRIDE_KEY: OVERRIDE_KEY }).WARDEN_OVERRIDE_KEY).toBe(OVERRIDE_KEY);
  });

  it('without it every override is refused 403 (audited); evaluations without one still work', async () => {
    const other = await startTestApp();
    try {
      const op = await other.token('operator');
      const res = await other.http('POST', `${PROMOTION}/evaluate`, { scorecard: CARDS.weak, override: signedOverride({ verdict: 'promote' }) }, { token: op });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('WARDEN_OVERRIDE_KEY is not configured');
      expect((await other.sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'promotion.override.refused'`))[0].n).toBe(1);
      expect((await other.http('POST', `${PROMOTION}/evaluate`, { scorecard: CARDS.weak }, { token: op })).body.verdict).toBe('no_go');
    } finally {
      await other.close();
    }
  });
});
