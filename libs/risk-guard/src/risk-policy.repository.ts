import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ReadOnlyDatabase, sqlOne, sqlRows } from '#platform';

export type EnforcementMode = 'enforce' | 'observe';

/** A risk_policy row: caps as exact decimal strings, null = unlimited. */
export interface PolicyRow {
  engine: string;
  enabled: boolean;
  max_daily_exposure: string | null;
  max_open_risk: string | null;
  max_daily_loss: string | null;
  max_actions_per_day: number | null;
  reservation_ttl_seconds: number;
  enforcement_mode: EnforcementMode;
  max_loss_multiple: string;
  /** Why it is off, in words (an operator may edit it). */
  disabled_reason: string | null;
  /**
   * The tripwire event whose THROTTLE holds the engine off (`regression_event:<id>`), null when not
   * throttled. Set only by the tripwire's throttle, cleared only by an enable (under the two-person
   * rule, only the approved act): an upsert never writes it.
   */
  throttled_by: string | null;
  updated_by: string;
  updated_at: Date;
}

/** The policy columns as PolicyRow reads them (`a`: a table alias). */
export function policyColumns(a = ''): string {
  const c = a ? `${a}.` : '';
  return `${c}engine, ${c}enabled, trim_scale(${c}max_daily_exposure)::text AS max_daily_exposure, trim_scale(${c}max_open_risk)::text AS max_open_risk,
  trim_scale(${c}max_daily_loss)::text AS max_daily_loss, ${c}max_actions_per_day, ${c}reservation_ttl_seconds, ${c}enforcement_mode,
  trim_scale(${c}max_loss_multiple)::text AS max_loss_multiple, ${c}disabled_reason, ${c}throttled_by, ${c}updated_by, ${c}updated_at`;
}
const POLICY_COLUMNS = policyColumns();

/** The seed's row of a policy (see risk-guard.seed.ts). */
export interface SeedPolicy {
  engine: string;
  loss: string;
  exposure: string;
  open: string;
  enabled: boolean;
}

/** Inserts a seeded policy unless the engine has one (an operator's later changes are never overwritten). */
export async function insertSeedPolicy(manager: Pick<EntityManager, 'query'>, p: SeedPolicy): Promise<void> {
  await manager.query(
    `INSERT INTO risk_policy (engine, enabled, max_daily_loss, max_daily_exposure, max_open_risk, max_actions_per_day, disabled_reason, updated_by)
     VALUES ($1, $2, $3, $4, $5, NULL, $6, 'seed') ON CONFLICT (engine) DO NOTHING`,
    [p.engine, p.enabled, p.loss, p.exposure, p.open, p.enabled ? null : 'seeded disabled'],
  );
}

/** The SQL of risk_policy: one row per engine, and GLOBAL. */
@Injectable()
export class RiskPolicyRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reads: ReadOnlyDatabase,
  ) {}

  get db(): DataSource {
    return this.dataSource;
  }

  /** GLOBAL first, then by engine. Outside a transaction: the read path (ReadOnlyDatabase). */
  policies(manager: Pick<EntityManager, 'query'> = this.reads): Promise<PolicyRow[]> {
    return sqlRows<PolicyRow>(manager, `SELECT ${POLICY_COLUMNS} FROM risk_policy ORDER BY engine = 'GLOBAL' DESC, engine`);
  }

  policy(engine: string, manager: Pick<EntityManager, 'query'> = this.dataSource, forUpdate = false): Promise<PolicyRow | undefined> {
    return sqlOne<PolicyRow>(manager, `SELECT ${POLICY_COLUMNS} FROM risk_policy WHERE engine = $1${forUpdate ? ' FOR UPDATE' : ''}`, [engine]);
  }

  /** The throttle in force on `engine` (null: none, or no policy), the row locked for the caller's transaction. */
  async lockThrottle(engine: string, manager: Pick<EntityManager, 'query'>): Promise<string | null> {
    const row = await sqlOne<{ throttled_by: string | null }>(manager, `SELECT throttled_by FROM risk_policy WHERE engine = $1 FOR UPDATE`, [engine]);
    return row?.throttled_by ?? null;
  }

  async writePolicy(manager: EntityManager, p: Omit<PolicyRow, 'updated_at'>, now: Date): Promise<PolicyRow> {
    await manager.query(
      `INSERT INTO risk_policy (engine, enabled, max_daily_exposure, max_open_risk, max_daily_loss, max_actions_per_day,
                                reservation_ttl_seconds, enforcement_mode, disabled_reason, updated_by, updated_at, max_loss_multiple, throttled_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (engine) DO UPDATE SET enabled = EXCLUDED.enabled, max_daily_exposure = EXCLUDED.max_daily_exposure,
         max_open_risk = EXCLUDED.max_open_risk, max_daily_loss = EXCLUDED.max_daily_loss, max_actions_per_day = EXCLUDED.max_actions_per_day,
         reservation_ttl_seconds = EXCLUDED.reservation_ttl_seconds, enforcement_mode = EXCLUDED.enforcement_mode,
         disabled_reason = EXCLUDED.disabled_reason, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at,
         max_loss_multiple = EXCLUDED.max_loss_multiple, throttled_by = EXCLUDED.throttled_by`,
      [
        p.engine,
        p.enabled,
        p.max_daily_exposure,
        p.max_open_risk,
        p.max_daily_loss,
        p.max_actions_per_day,
        p.reservation_ttl_seconds,
        p.enforcement_mode,
        p.disabled_reason,
        p.updated_by,
        now,
        p.max_loss_multiple,
        p.throttled_by,
      ],
    );
    return (await this.policy(p.engine, manager))!;
  }
}
