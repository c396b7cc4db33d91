import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ApprovalAct, ApprovalActState, type ApprovalResponseDto, type ChangeRequestCreatedResponseDto, ChangeRequestsService } from '#approvals';
import { AuditService, Clock, PolicyUpsertService, type Principal, PlatformErrorCode, SYSTEM_PRINCIPAL, WardenError } from '#platform';
import { PROMOTION } from './promotion.lever.js';
import { BUILTIN_RULE_SET, compileRules, type RuleSet } from './decide/rules.js';
import { PutRulesRequestDto, RuleFileResponseDto } from './dto/rules.dto.js';
import { PromotionInputError } from './decide/types.js';
import { asHttpInput, fromInputError } from './promotion.errors.js';
import { PromotionRepository } from './promotion.repository.js';
import { parseRuleFileText } from './rule-file-parser.js';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const EMPTY_DIGEST = sha256('');

/** The approved act (and its kind) that applies a change request of the rule file (WARDEN_CHANGE_REQUESTS: promotion.rules). */
export const PROMOTION_RULES_CHANGE = 'promotion_rules_change';
/** The rule file's audit subject, lock name and change-request subject. */
const RULES_SUBJECT = 'promotion_rules';

/** What PUT /rules answers: the new file, or 202 with the change request WARDEN_CHANGE_REQUESTS filed. */
export type PutRulesOutcome = { status: 200; body: RuleFileResponseDto } | { status: 202; body: ChangeRequestCreatedResponseDto };

/** What a change request shows of a rule file: its text and what identifies it (not its row's bookkeeping). */
const ruleFileValue = (f: RuleFileResponseDto | { source: string | null; digest: string; rule_count: number }) => ({ source: f.source, digest: f.digest, rule_count: f.rule_count });

/** The rules an evaluation uses, and what the decision log records of them. */
export interface ResolvedRules {
  ruleSet: RuleSet;
  version: string | null;
  digest: string;
}

/** The active rule file: versioned (the newest wins), compiled once per version, changes audited. */
@Injectable()
export class PromotionRulesService {
  private cache?: { version: string; ruleSet: RuleSet };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: PromotionRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly upserts: PolicyUpsertService,
    private readonly changeRequests: ChangeRequestsService,
  ) {}

  async get(): Promise<RuleFileResponseDto> {
    return RuleFileResponseDto.from(await this.repo.activeRuleFile(), EMPTY_DIGEST);
  }

  /**
   * Compiles the file (400 naming the first bad rule), then stores it as the next version, audited;
   * with WARDEN_CHANGE_REQUESTS holding `promotion.rules`, files it as a change request instead (202;
   * 200 with the active file when the text is the same). `base_version`, when given, must be the
   * active file's `control_version` (409 control_version_conflict).
   */
  async put(principal: Principal, body: PutRulesRequestDto): Promise<PutRulesOutcome> {
    if ((body.source === undefined) === (body.rules === undefined)) {
      throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, 'give exactly one of source (YAML/JSON text) or rules (a JSON list)', {
        fields: [{ field: 'source', problems: ['exactly one of source or rules'] }],
      });
    }
    const source = body.source ?? `${JSON.stringify(body.rules, null, 2)}\n`;
    const ruleSet = await this.compileText(source);
    const outcome = await this.dataSource.transaction(async (m): Promise<PutRulesOutcome> => {
      if (!this.changeRequests.held(PROMOTION_RULES_CHANGE)) return { status: 200, body: await this.store(m, principal, source, ruleSet.fileRuleCount, body.reason ?? null, { baseVersion: body.base_version }) };
      await this.upserts.lock(m, RULES_SUBJECT);
      const active = RuleFileResponseDto.from(await this.repo.activeRuleFile(m), EMPTY_DIGEST);
      const before = active.version === null ? null : ruleFileValue(active);
      const after = ruleFileValue({ source, digest: sha256(source), rule_count: ruleSet.fileRuleCount });
      const apply = { source, reason: body.reason ?? null };
      const filed = await this.changeRequests.file(principal, PROMOTION_RULES_CHANGE, { subject: RULES_SUBJECT, name: RULES_SUBJECT, before, after, apply, reason: body.reason, baseVersion: body.base_version }, m);
      return filed ? { status: 202, body: filed } : { status: 200, body: active };
    });
    if (outcome.status === 200 && outcome.body.version !== null) this.cache = { version: outcome.body.version, ruleSet };
    return outcome;
  }

  /** What a change request of the rule file is bound to: the active file's version (the rules' lock held). */
  @ApprovalActState(PROMOTION_RULES_CHANGE)
  async rulesVersion(_subject: string, manager: EntityManager): Promise<string> {
    await this.upserts.lock(manager, RULES_SUBJECT);
    return RuleFileResponseDto.from(await this.repo.activeRuleFile(manager), EMPTY_DIGEST).control_version;
  }

  /** The approved change request, run once in the transaction that consumes the grant, while the active file is the one it was filed against. */
  @ApprovalAct({ lever: PROMOTION, kind: PROMOTION_RULES_CHANGE, changeRequest: 'promotion.rules' })
  async promotionRulesChangeApproved(approval: ApprovalResponseDto, manager: EntityManager): Promise<void> {
    const approved = ChangeRequestsService.approved(approval);
    const apply = approved.apply as { source: string; reason: string | null };
    // Compiled again under today's limits: what was approved is what runs, or nothing (a throw rolls back and is retried).
    const ruleSet = await this.compileText(apply.source);
    await this.store(manager, SYSTEM_PRINCIPAL, apply.source, ruleSet.fileRuleCount, apply.reason, { by: approved.by, details: approved.details });
  }

  /** The next version of the file, audited `promotion.rules.put`; open change requests bound to the one before are void. */
  private async store(
    m: EntityManager,
    principal: Principal,
    source: string,
    ruleCount: number,
    reason: string | null,
    options: { by?: string; details?: Record<string, unknown>; baseVersion?: string },
  ): Promise<RuleFileResponseDto> {
    if (options.baseVersion !== undefined) this.changeRequests.assertBase(options.baseVersion, await this.rulesVersion(RULES_SUBJECT, m), 'the promotion rule file');
    else await this.upserts.lock(m, RULES_SUBJECT);
    const inserted = await this.repo.insertRuleFile(m, { source, digest: sha256(source), rule_count: ruleCount, created_by: options.by ?? principal.name, created_at: this.clock.now(), reason });
    await this.audit.record(m, principal, {
      action: 'promotion.rules.put',
      subject: RULES_SUBJECT,
      reason,
      details: { version: inserted.version, digest: inserted.digest, rule_count: inserted.rule_count, ...options.details },
    });
    await this.changeRequests.changed(principal, PROMOTION_RULES_CHANGE, RULES_SUBJECT, `promotion rule file changed to version ${inserted.version} by ${options.by ?? principal.name}`, m);
    return RuleFileResponseDto.from(inserted, EMPTY_DIGEST);
  }

  /** Rules given with a request (text or list), else the active file, else the built-ins. */
  async resolve(given?: string | unknown[]): Promise<ResolvedRules> {
    if (given !== undefined && given !== null) {
      const text = typeof given === 'string' ? given : JSON.stringify(given);
      const ruleSet = typeof given === 'string' ? await this.compileText(given) : asHttpInput(() => compileRules(given));
      return { ruleSet, version: null, digest: sha256(text) };
    }
    return this.active();
  }

  async active(): Promise<ResolvedRules> {
    const row = await this.repo.activeRuleFile();
    if (!row) return { ruleSet: BUILTIN_RULE_SET, version: null, digest: EMPTY_DIGEST };
    // `stored`: a file accepted before today's limits still loads; a condition they refuse is a rule error (fail closed), never run.
    if (this.cache?.version !== row.version) this.cache = { version: row.version, ruleSet: await this.compileText(row.source, { stored: true }) };
    return { ruleSet: this.cache.ruleSet, version: row.version, digest: row.digest };
  }

  /** YAML parsed off the event loop (parseRuleFileText), then compiled: 400 naming what is wrong. */
  private async compileText(text: string, options: { stored?: boolean } = {}): Promise<RuleSet> {
    let parsed: unknown;
    try {
      parsed = await parseRuleFileText(text);
    } catch (err) {
      throw err instanceof PromotionInputError ? fromInputError(err) : err;
    }
    return asHttpInput(() => compileRules(parsed, options));
  }
}
