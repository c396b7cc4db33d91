import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql.js';
import type { Principal, Role } from './principal.js';

export interface NewSessionRow {
  idHash: string;
  principal: Principal;
  csrfHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface LiveSessionRow {
  csrf_hash: string;
  token_id: string;
  name: string;
  role: Role;
  engines: string[] | null;
  domains: string[] | null;
  identities: string[] | null;
}

/** All of console_session's SQL. */
@Injectable()
export class SessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: NewSessionRow): Promise<void> {
    await manager.query(
      `INSERT INTO console_session (id, token_id, principal_name, role, csrf_hash, created_at, expires_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6)`,
      [row.idHash, row.principal.tokenId, row.principal.name, row.principal.role, row.csrfHash, row.createdAt, row.expiresAt],
    );
  }

  /**
   * Makes room for one more session of a token: revokes its oldest live sessions so that at most
   * `max - 1` remain, under a per-token lock (two sign-ins at once cannot both keep five). Returns
   * how many were revoked.
   */
  async evictBeyond(manager: EntityManager, tokenId: string, max: number, now: Date): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('console_session:' || $1))`, [tokenId]);
    const rows = await sqlRows(
      manager,
      `UPDATE console_session SET revoked_at = $2
        WHERE id IN (SELECT id FROM console_session
                      WHERE token_id = $1 AND revoked_at IS NULL AND expires_at > $2
                      ORDER BY created_at DESC, id OFFSET $3)
        RETURNING id`,
      [tokenId, now, max - 1],
    );
    return rows.length;
  }

  /**
   * The session if it is live at `now` (not signed out, not expired, used within `idleMinutes`) and
   * its token is not revoked (role and binding read from the token as it is now); marks it used, at
   * most every 30 s (one write per half minute of console use, not one per request).
   */
  async findLive(idHash: string, now: Date, idleMinutes: number): Promise<LiveSessionRow | null> {
    const rows: LiveSessionRow[] = await this.dataSource.query(
      `WITH live AS (
         SELECT s.id, s.last_used_at, s.csrf_hash, t.id AS token_id, t.name, t.role, t.engines, t.domains, t.identities
           FROM console_session s JOIN api_token t ON t.id = s.token_id
          WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND t.revoked_at IS NULL
            AND s.last_used_at > $2::timestamptz - $3 * interval '1 minute'
       ), touched AS (
         UPDATE console_session c SET last_used_at = $2 FROM live
          WHERE c.id = live.id AND live.last_used_at < $2::timestamptz - interval '30 seconds'
       )
       SELECT csrf_hash, token_id, name, role, engines, domains, identities FROM live`,
      [idHash, now, idleMinutes],
    );
    return rows[0] ?? null;
  }

  /** Revokes a live session; the token id it belonged to, or null if there was none. */
  async revoke(manager: EntityManager, idHash: string, now: Date): Promise<string | null> {
    // sqlRows: TypeORM answers an UPDATE with [rows, count]; rows[0] of that was never a row (sign-out went unaudited).
    const rows = await sqlRows<{ token_id: string }>(
      manager,
      `UPDATE console_session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING token_id`,
      [idHash, now],
    );
    return rows[0]?.token_id ?? null;
  }
}
