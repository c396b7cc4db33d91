import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ReadOnlyDatabase, sqlOne, sqlRows } from '#platform';

/** NOTIFY channel: a committed change wakes every instance's copy of the row. */
export const GO_LIVE_CHANNEL = 'warden_go_live';

/** The one control-plane row (go_live_state, id = 1). */
export interface GoLiveStateRow {
  go_live_enabled: boolean;
  kill_switch_engaged: boolean;
  reason: string | null;
  changed_by: string;
  updated_at: Date;
  version: string;
}

/** The row a NOTIFY carried, or undefined when the payload is not one (a reconnect, an older instance). */
export function stateFromNotice(payload: string): GoLiveStateRow | undefined {
  try {
    const v = JSON.parse(payload) as Record<string, unknown>;
    const ok =
      typeof v.go_live_enabled === 'boolean' &&
      typeof v.kill_switch_engaged === 'boolean' &&
      (v.reason === null || typeof v.reason === 'string') &&
      typeof v.changed_by === 'string' &&
      typeof v.updated_at === 'string' &&
      typeof v.version === 'string' &&
      /^\d+$/.test(v.version);
    return ok ? ({ ...v, updated_at: new Date(v.updated_at as string) } as GoLiveStateRow) : undefined;
  } catch {
    return undefined;
  }
}

/** The two flags a change may set. */
export type GoLiveFlags = Partial<Pick<GoLiveStateRow, 'go_live_enabled' | 'kill_switch_engaged'>>;

export interface AttestationRow {
  item: string;
  attested: boolean;
  note: string | null;
  attested_by: string;
  attested_at: Date;
}

const STATE_COLUMNS = 'go_live_enabled, kill_switch_engaged, reason, changed_by, updated_at, version';

/** All of the go-live lever's SQL: the control-plane row and the checklist attestations. */
@Injectable()
export class GoLiveRepository {
  constructor(
    @InjectDataSource() readonly db: DataSource,
    private readonly reads: ReadOnlyDatabase,
  ) {}

  /** On the read path (ReadOnlyDatabase): the go-live middleware re-reads it whenever its copy is stale. */
  state(): Promise<GoLiveStateRow | undefined> {
    return sqlOne<GoLiveStateRow>(this.reads, `SELECT ${STATE_COLUMNS} FROM go_live_state WHERE id = 1`);
  }

  /** The row, locked for the rest of the caller's transaction (changes serialize on it). */
  lockState(manager: EntityManager): Promise<GoLiveStateRow | undefined> {
    return sqlOne<GoLiveStateRow>(manager, `SELECT ${STATE_COLUMNS} FROM go_live_state WHERE id = 1 FOR UPDATE`);
  }

  /**
   * The version at which the kill switch was engaged (kept by a trigger; null while released),
   * locked like lockState: what a release is bound to.
   */
  async lockEngagement(manager: EntityManager): Promise<string | null> {
    const row = await sqlOne<{ v: string | null }>(manager, `SELECT kill_switch_version::text AS v FROM go_live_state WHERE id = 1 FOR UPDATE`);
    return row?.v ?? null;
  }

  /** Sets the given flags (the others keep their value), bumps the version and NOTIFYs every instance on commit. */
  async update(manager: EntityManager, flags: GoLiveFlags, reason: string | null, changedBy: string): Promise<GoLiveStateRow> {
    const row = await sqlOne<GoLiveStateRow>(
      manager,
      `UPDATE go_live_state
          SET go_live_enabled = COALESCE($1, go_live_enabled), kill_switch_engaged = COALESCE($2, kill_switch_engaged),
              reason = $3, changed_by = $4, updated_at = now(), version = version + 1
        WHERE id = 1
        RETURNING ${STATE_COLUMNS}`,
      [flags.go_live_enabled ?? null, flags.kill_switch_engaged ?? null, reason, changedBy],
    );
    if (!row) throw new Error('go_live_state row missing');
    // The notice carries the committed row itself (NOTIFY is delivered only on commit): every other
    // instance takes it without a read, so a kill switch reaches them in one round trip.
    await manager.query(`SELECT pg_notify($1, $2)`, [GO_LIVE_CHANNEL, JSON.stringify(row)]);
    return row;
  }

  attestations(): Promise<AttestationRow[]> {
    return sqlRows<AttestationRow>(this.db, `SELECT item, attested, note, attested_by, attested_at FROM go_live_attestation ORDER BY item`);
  }

  async attest(manager: EntityManager, item: string, attested: boolean, note: string | null, by: string): Promise<void> {
    await manager.query(
      `INSERT INTO go_live_attestation (item, attested, note, attested_by, attested_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (item) DO UPDATE SET attested = EXCLUDED.attested, note = EXCLUDED.note, attested_by = EXCLUDED.attested_by, attested_at = now()`,
      [item, attested, note, by],
    );
  }
}
