import { isoWeekOf, type IsoWeek } from '#review';
import { activePolicy, evaluate, intent } from './support/factories/gate.js';
import { CARDS, OVERRIDE_KEY, PromotionFactory, signedOverride } from './support/factories/promotion.js';
import { DAY, HOUR, reviewApi, saveReviewPage, section } from './support/factories/review.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The gate's and the promotion verdicts' sections of the weekly review: a week of gate decisions
 * (every verdict, observe, dry_run and simulated evaluations, one approval filed) and promotion
 * evaluations (every verdict, one signed override), each with one event just outside the week,
 * built with the ManualClock; the report gives exactly these figures.
 */
describe('weekly review: gate and promotion sections (real HTTP, real database)', () => {
  let t: TestApp;
  let week: IsoWeek;
  let operator: string;
  let viewer: string;
  let engine: string;
  let report: any;
  /** The Friday review the app caught up at start (real now, inside the week): one verdict per seeded Heimdall domain. */
  let friday: Array<{ domain: string; verdict: string }> = [];
  const at = (days: number, hours = 10) => new Date(week.from.getTime() + days * DAY + hours * HOUR);
  /** Reason codes of the real (not simulated) gate decisions, as the gate answered them. */
  const gateReasons: string[] = [];

  async function gate(body: Record<string, unknown>, status: number, expected: Record<string, unknown>): Promise<void> {
    const res = await evaluate(t, body, engine);
    expect([res.status, res.body]).toEqual([status, expect.objectContaining(expected)]);
    if (body.simulate !== true) gateReasons.push(...(res.body.reason_codes as string[]));
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { WARDEN_OVERRIDE_KEY: OVERRIDE_KEY } });
    // The week holding the real now: the Monday job caught up the week before at start.
    week = isoWeekOf(new Date());
    // An engine token claims only the identities it is bound to (docs/auth.md): the week's agents.
    [operator, viewer, engine] = await Promise.all([t.token('operator'), t.token('viewer'), t.token('engine', { identities: ['agent-alice', 'agent-bob'] })]);

    // Gate, Tuesday: an enforcing policy (PUT first), then one policy in observe and one in dry_run mode.
    t.clock.set(at(1));
    const enforce = await activePolicy(t, 'enforce');
    const observe = await activePolicy(t, 'observe');
    const dry = await activePolicy(t, 'dry_run');
    // Just before the week: not counted.
    t.clock.set(new Date(week.from.getTime() - 1000));
    expect((await evaluate(t, { intent: intent('tool.delete'), policy: enforce.name }, engine)).status).toBe(403);
    t.clock.set(at(1));
    await gate({ intent: intent('tool.read'), policy: enforce.name }, 200, { verdict: 'allow', would_have_blocked: false });
    await gate({ intent: intent('tool.read', 'agent-bob'), policy: enforce.name }, 200, { verdict: 'allow' });
    await gate({ intent: intent('tool.write'), policy: enforce.name }, 202, { verdict: 'require_approval', approval_id: expect.any(String) });
    await gate({ intent: intent('tool.delete'), policy: enforce.name }, 403, { verdict: 'block' });
    await gate({ intent: intent('tool.delete'), policy: observe.name }, 200, { verdict: 'allow', mode: 'observe', would_have_blocked: true });
    await gate({ intent: intent('tool.write'), policy: dry.name }, 200, { verdict: 'dry_run', would_have_blocked: true });
    await gate({ intent: intent('tool.delete'), policy: enforce.name, simulate: true }, 200, { verdict: 'allow', simulated_verdict: 'block', would_have_blocked: true });
    // The Monday after, 00:00: the next week, not counted.
    t.clock.set(week.to);
    expect((await evaluate(t, { intent: intent('tool.read'), policy: enforce.name }, engine)).status).toBe(200);

    // Promotion, Wednesday: PROMO_X promoted then demoted; PROMO_Y piloted then promoted by a signed override; one evaluation without a domain.
    const f = await PromotionFactory.create(t);
    const promo = async (hours: number, body: Record<string, unknown>, verdict: string) => {
      t.clock.set(at(2, hours));
      const res = await f.evaluate(body);
      expect([res.status, res.body.verdict]).toEqual([200, verdict]);
      return res.body;
    };
    await promo(9, { domain: 'PROMO_X', scorecard: CARDS.strong }, 'promote');
    const veto = await promo(10, { domain: 'PROMO_X', scorecard: CARDS.veto }, 'demote');
    expect(veto.reason_codes).toEqual(['alignment_veto']);
    await promo(11, { domain: 'PROMO_Y', scorecard: CARDS.microPilot }, 'pilot');
    const overridden = await promo(12, { domain: 'PROMO_Y', scorecard: CARDS.weak, override: signedOverride({ verdict: 'promote', reason: 'break-glass' }) }, 'promote');
    expect(overridden.reason_codes).toEqual(['raroi_below_threshold', 'manual_override']);
    const anonymous = await promo(13, { scorecard: CARDS.weak }, 'no_go');
    expect(anonymous.reason_codes).toEqual(['raroi_below_threshold']);
    t.clock.set(week.to);
    expect((await f.evaluate({ domain: 'PROMO_X', scorecard: CARDS.strong })).status).toBe(200);

    // Every gate answer came after its row committed (group commit included): all 7 + 2 outside are stored.
    expect(await t.sql(`SELECT count(*)::int AS n FROM gate_decision`)).toEqual([{ n: 9 }]);

    friday = await t.sql(`SELECT domain, verdict FROM promotion_decision WHERE source = 'friday' AND decided_at >= $1 AND decided_at < $2 ORDER BY domain`, [week.from, week.to]);

    t.clock.set(new Date(week.to.getTime() + 9 * HOUR));
    const res = await reviewApi(t).generate(week.week, operator);
    expect(res.status).toBe(201);
    report = res.body.report;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('the gate section: decisions by verdict, would-have-blocked, simulated, approvals filed and the top reason codes of the week', () => {
    const counts = new Map<string, number>();
    for (const code of gateReasons) counts.set(code, (counts.get(code) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([reason_code, count]) => ({ reason_code, count }));
    expect(section(report, 'gate')).toEqual({
      decisions: 6,
      by_verdict: [
        { verdict: 'allow', count: 3 },
        { verdict: 'dry_run', count: 1 },
        { verdict: 'require_approval', count: 1 },
        { verdict: 'block', count: 1 },
      ],
      would_have_blocked: { observe: 1, dry_run: 1, simulate: 1 },
      simulated: 1,
      approvals_filed: 1,
      approvals_consumed: 0,
      top_reason_codes: top,
    });
    // The figures the gate's answers give, spelled out: the writes (enforce and dry_run), the deletes (enforce and observe), the two reads.
    expect(top.slice(0, 3)).toEqual([
      { reason_code: 'approval_required_for_write', count: 2 },
      { reason_code: 'delete_forbidden', count: 2 },
      { reason_code: 'matched_rule_allow_reads', count: 2 },
    ]);
  });

  it('the promotion section: verdicts, per domain with reason codes and the newest verdict, overrides used', () => {
    const d = section(report, 'promotion');
    const fridayCount = (verdict: string) => friday.filter((x) => x.verdict === verdict).length;
    expect(d).toMatchObject({
      decisions: 5 + friday.length,
      by_verdict: [
        { verdict: 'promote', count: 2 + fridayCount('promote') },
        { verdict: 'borderline', count: fridayCount('borderline') },
        { verdict: 'pilot', count: 1 + fridayCount('pilot') },
        { verdict: 'demote', count: 1 + fridayCount('demote') },
        { verdict: 'no_go', count: 1 + fridayCount('no_go') },
      ],
      overrides_used: 1,
    });
    // The Friday verdicts: one decision per domain.
    const ours = new Set(['PROMO_X', 'PROMO_Y', null]);
    expect(d.domains.filter((x: any) => !ours.has(x.domain)).map((x: any) => [x.domain, x.decisions, x.latest_verdict])).toEqual(friday.map((x) => [x.domain, 1, x.verdict]));
    expect(d.domains.filter((x: any) => ours.has(x.domain))).toEqual([
      { domain: 'PROMO_X', decisions: 2, promote: 1, borderline: 0, pilot: 0, demote: 1, no_go: 0, overrides_used: 0, latest_verdict: 'demote', latest_at: at(2, 10).toISOString(), reason_codes: [{ reason_code: 'alignment_veto', count: 1 }] },
      {
        domain: 'PROMO_Y',
        decisions: 2,
        promote: 1,
        borderline: 0,
        pilot: 1,
        demote: 0,
        no_go: 0,
        overrides_used: 1,
        latest_verdict: 'promote',
        latest_at: at(2, 12).toISOString(),
        reason_codes: [
          { reason_code: 'manual_override', count: 1 },
          { reason_code: 'micro_pilot', count: 1 },
          { reason_code: 'raroi_below_threshold', count: 1 },
        ],
      },
      { domain: null, decisions: 1, promote: 0, borderline: 0, pilot: 0, demote: 0, no_go: 1, overrides_used: 0, latest_verdict: 'no_go', latest_at: at(2, 13).toISOString(), reason_codes: [{ reason_code: 'raroi_below_threshold', count: 1 }] },
    ]);
    expect(d.overrides).toEqual([
      { decided_at: at(2, 12).toISOString(), domain: 'PROMO_Y', source: 'api', verdict: 'promote', decided_by: expect.any(String), reason_codes: ['raroi_below_threshold', 'manual_override'], override_digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
  });

  it('needs attention lists the domain demoted by its newest verdict', () => {
    expect(report.needs_attention.filter((i: any) => i.kind === 'promotion_demoted')).toEqual([
      { kind: 'promotion_demoted', subject: 'promotion:PROMO_X', message: 'PROMO_X was demoted by its latest promotion verdict (alignment_veto)' },
    ]);
  });

  it('the page renders both sections as tables, with a chart of the gate reason codes', async () => {
    const res = await reviewApi(t, viewer).html(week.week);
    expect(res.status).toBe(200);
    const html = res.body;
    expect(html).not.toContain('Not built yet');
    for (const text of ['<h2 id="s-gate">Gate</h2>', '<caption>Decisions by verdict</caption>', 'Gate: top reason codes of the week', '<h2 id="s-promotion">Promotion verdicts</h2>', '<caption>Per domain</caption>', '<caption>Decisions that used a signed override</caption>', 'PROMO_X', 'alignment_veto ×1']) {
      expect(html).toContain(text);
    }
    expect(html).not.toMatch(/https?:\/\//);
    saveReviewPage(`${week.week}-sections`, html);
  });
});
