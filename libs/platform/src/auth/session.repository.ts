import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
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
      `INSERT INTO console_session (id, token_id, principal_name, role, csrf_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.idHash, row.principal.tokenId, row.principal.name, row.principal.role, row.csrfHash, row.createdAt, row.expiresAt],
    );
  }

  /** The session if it is live at `now` and its token is not revoked (role and binding read from the token as it is now). */
  async findLive(idHash: string, now: Date): Promise<LiveSessionRow | null> {
    const rows: LiveSessionRow[] = await this.dataSource.query(
      `SELECT s.csrf_hash, t.id AS token_id, t.name, t.role, t.engines, t.domains, t.identities
         FROM console_session s JOIN api_token t ON t.id = s.token_id
        WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND t.revoked_at IS NULL`,
      [idHash, now],
    );
    return rows[0] ?? null;
  }

  /** Revokes a live session; the token id it belonged to, or null if there was none. */
  async revoke(manager: EntityManager, idHash: string, now: Date): Promise<string | null> {
    const rows: Array<{ token_id: string }> = await manager.query(
      `UPDATE console_session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING token_id`,
      [idHash, now],
    );
    return rows[0]?.token_id ?? null;
  }
}
