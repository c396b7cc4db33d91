import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService, Clock, type Principal, WardenConfig, WardenError } from '#platform';
import { verifyOverride, type VerifiedOverride } from './decide/override.js';
import { PromotionInputError } from './decide/types.js';
import { fromInputError, PromotionErrors } from './promotion.errors.js';
import { PromotionRepository } from './promotion.repository.js';

/**
 * Signed single-use overrides: verified against WARDEN_OVERRIDE_KEY from the raw JSON text, their
 * single use recorded by the signature's digest in the decision's transaction. Every refusal is
 * audited in a transaction of its own (the request itself fails and rolls back).
 */
@Injectable()
export class PromotionOverrideService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: PromotionRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: WardenConfig,
  ) {}

  /** The verified override for this domain, or a 403 override_invalid (audited). Never echoes the key. */
  async verify(principal: Principal, text: string, domain: string | null): Promise<VerifiedOverride> {
    const key = this.config.WARDEN_OVERRIDE_KEY;
    try {
      if (!key) throw new PromotionInputError('invalid_override', 'overrides are refused: WARDEN_OVERRIDE_KEY is not configured');
      return verifyOverride(text, key, { domain });
    } catch (err) {
      if (!(err instanceof PromotionInputError)) throw err;
      const refused = fromInputError(err);
      await this.refused(principal, refused, domain, null);
      throw refused;
    }
  }

  /** Records the single use inside the decision's transaction; a replay is a 409 (the caller audits it after rollback). */
  async recordUse(manager: EntityManager, principal: Principal, override: VerifiedOverride, decisionId: string): Promise<void> {
    const fresh = await this.repo.recordOverrideUse(manager, override.digest, this.clock.now(), principal.name, decisionId);
    if (!fresh) throw PromotionErrors.raise('override_replayed', 'this override was used before (its signature is recorded): issue a new one', { details: { signature_digest: override.digest } });
    await this.audit.record(manager, principal, {
      action: 'promotion.override.use',
      subject: `promotion_override:${override.digest}`,
      details: { decision_id: decisionId, data: override.data },
    });
  }

  /** Audits a refused override in its own transaction. */
  async refused(principal: Principal, error: WardenError, domain: string | null, digest: string | null): Promise<void> {
    const details = (error.extra.details ?? {}) as Record<string, unknown>;
    await this.dataSource.transaction((m) =>
      this.audit.record(m, principal, {
        action: 'promotion.override.refused',
        subject: `promotion_override:${digest ?? 'unverified'}`,
        reason: error.message,
        details: { code: error.code, reason: details.reason ?? error.code, domain },
      }),
    );
  }
}
