import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService, Clock, type Principal, WardenError, PlatformErrorCode } from '#platform';
import { BUILTIN_RULE_SET, compileRules, type RuleSet } from './decide/rules.js';
import { PutRulesRequestDto, RuleFileResponseDto } from './dto/rules.dto.js';
import { PromotionInputError } from './decide/types.js';
import { asHttpInput, fromInputError } from './promotion.errors.js';
import { PromotionRepository } from './promotion.repository.js';
import { parseRuleFileText } from './rule-file-parser.js';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const EMPTY_DIGEST = sha256('');

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
  ) {}

  async get(): Promise<RuleFileResponseDto> {
    return RuleFileResponseDto.from(await this.repo.activeRuleFile(), EMPTY_DIGEST);
  }

  /** Compiles the file (400 naming the first bad rule), then stores it as the next version, audited. */
  async put(principal: Principal, body: PutRulesRequestDto): Promise<RuleFileResponseDto> {
    if ((body.source === undefined) === (body.rules === undefined)) {
      throw WardenError.badRequest(PlatformErrorCode.ValidationFailed, 'give exactly one of source (YAML/JSON text) or rules (a JSON list)', {
        fields: [{ field: 'source', problems: ['exactly one of source or rules'] }],
      });
    }
    const source = body.source ?? `${JSON.stringify(body.rules, null, 2)}\n`;
    const ruleSet = await this.compileText(source);
    const row = await this.dataSource.transaction(async (m) => {
      const inserted = await this.repo.insertRuleFile(m, {
        source,
        digest: sha256(source),
        rule_count: ruleSet.fileRuleCount,
        created_by: principal.name,
        created_at: this.clock.now(),
        reason: body.reason ?? null,
      });
      await this.audit.record(m, principal, {
        action: 'promotion.rules.put',
        subject: 'promotion_rules',
        reason: body.reason ?? null,
        details: { version: inserted.version, digest: inserted.digest, rule_count: inserted.rule_count },
      });
      return inserted;
    });
    this.cache = { version: row.version, ruleSet };
    return RuleFileResponseDto.from(row, EMPTY_DIGEST);
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
