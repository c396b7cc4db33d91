import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql.js';
import type { Principal, Role } from './principal.js';

export interface NewSessionRow {
  idHash: string;
  /** A token's principal (token_id set) or an SSO person's (no token: its role is stored here). */
  principal: Principal;
  person: string;
  viaToken: boolean;
  csrfHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface LiveSessionRow {
  csrf_hash: string;
  /** The token's id, or for an SSO session its person (as Principal.tokenId). */
  token_id: string;
  name: string;
  role: Role;
  engines: string[] | null;
  domains: string[] | null;
  identities: string[] | null;
  person: string;
}

/** All of console_session's SQL. */
@Injectable()
export class SessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: NewSessionRow): Promise<void> {
    await manager.query(
      `INSERT INTO console_session (id, token_id, principal_name, role, csrf_hash, created_at, expires_at, last_used_at, person) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8)`,
      [row.idHash, row.viaToken ? row.principal.tokenId : null, row.principal.name, row.principal.role, row.csrfHash, row.createdAt, row.expiresAt, row.person],
    );
  }

  /**
   * Makes room for one more session of a person (every token of one owner, every SSO sign-in of one
   * subject): revokes its oldest live sessions so that at most `max - 1` remain, under a per-person
   * lock (two sign-ins at once cannot both keep five). Returns how many were revoked.
   */
  async evictBeyond(manager: EntityManager, person: string, max: number, now: Date): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('console_session:' || $1))`, [person]);
    const rows = await sqlRows(
      manager,
      `UPDATE console_session SET revoked_at = $2
        WHERE id IN (SELECT id FROM console_session
                      WHERE person = $1 AND revoked_at IS NULL AND expires_at > $2
                      ORDER BY created_at DESC, id OFFSET $3)
        RETURNING id`,
      [person, now, max - 1],
    );
    return rows.length;
  }

  /**
   * The session if it is live at `now` (not signed out, not expired, used within `idleMinutes`) and,
   * for a token's session, its token is not revoked (role and binding read from the token as it is
   * now; an SSO session's role is the one mapped at sign-in); marks it used, at most every 30 s (one
   * write per half minute of console use, not one per request).
   */
  async findLive(idHash: string, now: Date, idleMinutes: number): Promise<LiveSessionRow | null> {
    const rows: LiveSessionRow[] = await this.dataSource.query(
      `WITH live AS (
         SELECT s.id, s.last_used_at, s.csrf_hash, coalesce(t.id::text, s.person) AS token_id, coalesce(t.name, s.principal_name) AS name,
                coalesce(t.role, s.role) AS role, t.engines, t.domains, t.identities, s.person
           FROM console_session s LEFT JOIN api_token t ON t.id = s.token_id
          WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
            AND (s.token_id IS NULL OR (t.id IS NOT NULL AND t.revoked_at IS NULL))
            AND s.last_used_at > $2::timestamptz - $3 * interval '1 minute'
       ), touched AS (
         UPDATE console_session c SET last_used_at = $2 FROM live
          WHERE c.id = live.id AND live.last_used_at < $2::timestamptz - interval '30 seconds'
       )
       SELECT csrf_hash, token_id, name, role, engines, domains, identities, person FROM live`,
      [idHash, now, idleMinutes],
    );
    return rows[0] ?? null;
  }

  /** Revokes a live session; the token id (or, without a token, the person) it belonged to, or null if there was none. */
  async revoke(manager: EntityManager, idHash: string, now: Date): Promise<{ token_id: string | null; person: string } | null> {
    // sqlRows: TypeORM answers an UPDATE with [rows, count]; rows[0] of that was never a row (sign-out went unaudited).
    const rows = await sqlRows<{ token_id: string | null; person: string }>(
      manager,
      `UPDATE console_session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING token_id::text, person`,
      [idHash, now],
    );
    return rows[0] ?? null;
  }
}
