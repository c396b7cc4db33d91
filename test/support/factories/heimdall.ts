import type { HttpResult, TestApp } from '../test-app.js';

export const HEIMDALL = '/api/governance/heimdall';

let domainCounter = 0;
/** A domain name no other test uses: tests never depend on each other's data. */
export function freshDomain(prefix = 'D'): string {
  domainCounter += 1;
  return `${prefix}_${process.pid % 10000}_${domainCounter.toString(36)}_${Date.now().toString(36)}`.toUpperCase().slice(0, 32);
}

/** Gates 0.8 / 4 trials / 0.75 with prod use enabled: small enough to pass in a few calls. */
export const EASY_POLICY = { min_confidence: 0.8, min_trials: 4, min_success_rate: 0.75, prod_use_enabled: true };

export interface HeimdallTokens {
  viewer: string;
  engine: string;
  operator: string;
}

/** Heimdall's test data, made through the real API (policies, trials in bulk, recommendations). */
export class HeimdallFactory {
  private constructor(
    private readonly t: TestApp,
    readonly tokens: HeimdallTokens,
  ) {}

  static async create(t: TestApp): Promise<HeimdallFactory> {
    const [viewer, engine, operator] = await Promise.all([t.token('viewer'), t.token('engine'), t.token('operator')]);
    return new HeimdallFactory(t, { viewer, engine, operator });
  }

  /** Creates or changes a policy (200 expected) and returns the policy. */
  async upsert(body: Record<string, unknown>): Promise<any> {
    const res = await this.t.http('POST', `${HEIMDALL}/policies/upsert`, body, { token: this.tokens.operator });
    if (res.status !== 200) throw new Error(`policy upsert failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A fresh domain with EASY_POLICY, unless overridden; returns its name. */
  async policy(over: Record<string, unknown> = {}, prefix?: string): Promise<string> {
    const domain = freshDomain(prefix);
    await this.upsert({ domain, ...EASY_POLICY, ...over });
    return domain;
  }

  trial(domain: string, success: boolean, confidence: unknown = 0.9, extra: Record<string, unknown> = {}, token = this.tokens.engine): Promise<HttpResult> {
    return this.t.http('POST', `${HEIMDALL}/sandbox/trial`, { domain, success, confidence, ...extra }, { token });
  }

  /** `count` trials, the first `successes` of them successful, `parallel` at a time; each must be 201. */
  async trials(domain: string, count: number, successes: number, confidence: unknown = 0.9, parallel = 1): Promise<void> {
    for (let i = 0; i < count; i += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, k) => this.trial(domain, i + k < successes, confidence));
      for (const res of await Promise.all(batch)) {
        if (res.status !== 201) throw new Error(`trial failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  }

  recommend(domain: string, confidence: unknown, extra: Record<string, unknown> = {}, token = this.tokens.engine): Promise<HttpResult> {
    return this.t.http('POST', `${HEIMDALL}/recommend`, { domain, confidence, ...extra }, { token });
  }

  /** A domain whose sandbox has earned production (EASY_POLICY, 4 of 4 trials) and an eligible recommendation of it. */
  async eligibleRecommendation(over: Record<string, unknown> = {}): Promise<{ domain: string; id: string }> {
    const domain = await this.policy(over);
    await this.trials(domain, 4, 4);
    const rec = await this.recommend(domain, 0.9);
    if (rec.status !== 201 || !rec.body.prod_eligible) throw new Error(`recommendation not eligible: ${JSON.stringify(rec.body)}`);
    return { domain, id: rec.body.id };
  }

  requireEligible(id: string, token = this.tokens.engine, body?: unknown): Promise<HttpResult> {
    return this.t.http('POST', `${HEIMDALL}/recommendations/${id}/require-prod-eligible`, body, { token });
  }

  async scorecard(domain: string): Promise<any> {
    const res = await this.t.http('GET', `${HEIMDALL}/scorecard/today?domain=${domain}`, undefined, { token: this.tokens.viewer });
    if (res.status !== 200) throw new Error(`scorecard failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.domains[0];
  }
}
