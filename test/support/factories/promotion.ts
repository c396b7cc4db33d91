import { createHmac, randomBytes } from 'node:crypto';
import { signOverrideData } from '#promotion';
import type { HttpResult, TestApp } from '../test-app.js';

export const PROMOTION = '/api/governance/heimdall/promotion';
/** The override key the promotion tests start the app with (WARDEN_OVERRIDE_KEY). */
export const OVERRIDE_KEY = 'test-override-key-0123456789';

/** Scorecards in menace's fields for each step of the order. */
export const CARDS = {
  strong: { alignment_status: 'pass', security_status: 'pass', raroi: 1.4, confidence: 0.9, scenario_scores: { a: 0.8, b: 0.85 } },
  weak: { alignment_status: 'pass', raroi: 0.6, confidence: 0.9, scenario_scores: { a: 0.8 } },
  veto: { alignment_status: 'fail', raroi: 1.4, confidence: 0.9 },
  microPilot: { raroi: 1.4, confidence: 0.9, sandbox_roi: 0.05, adapter_roi: 1.5 },
};

/** A signed override (as menace signs it); fresh `issued_at`/`nonce` so each one is a new override. */
export function signedOverride(data: Record<string, unknown>, key = OVERRIDE_KEY): { data: Record<string, unknown>; signature: string } {
  const full = { issued_at: new Date().toISOString(), nonce: randomBytes(6).toString('hex'), ...data };
  return { data: full, signature: signOverrideData(full, key) };
}

/** HMAC-SHA256 hex of a canonical text, for overrides whose data has numbers JavaScript cannot spell (`1.0`). */
export const hmacHex = (canonical: string, key = OVERRIDE_KEY) => createHmac('sha256', key).update(canonical, 'utf8').digest('hex');

export class PromotionFactory {
  private constructor(
    private readonly t: TestApp,
    readonly tokens: { viewer: string; operator: string; engine: string },
  ) {}

  static async create(t: TestApp): Promise<PromotionFactory> {
    const [viewer, operator, engine] = await Promise.all([t.token('viewer'), t.token('operator'), t.token('engine')]);
    return new PromotionFactory(t, { viewer, operator, engine });
  }

  evaluate(body: Record<string, unknown>, token = this.tokens.operator): Promise<HttpResult> {
    return this.t.http('POST', `${PROMOTION}/evaluate`, body, { token });
  }

  /** POSTs a body given as text (to keep number spellings and whitespace). */
  evaluateRaw(text: string, token = this.tokens.operator): Promise<HttpResult> {
    return this.t.http('POST', `${PROMOTION}/evaluate`, undefined, { token, raw: text, headers: { 'content-type': 'application/json' } });
  }

  putRules(body: Record<string, unknown>, token = this.tokens.operator): Promise<HttpResult> {
    return this.t.http('PUT', `${PROMOTION}/rules`, body, { token });
  }

  /** audit rows of an action, oldest first */
  audits(action: string): Promise<Array<{ subject: string; reason: string | null; details: Record<string, unknown>; principal: string }>> {
    return this.t.sql(`SELECT subject, reason, details, principal FROM audit_log WHERE action = $1 ORDER BY id`, [action]);
  }
}
