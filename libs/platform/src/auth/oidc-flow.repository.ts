import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql.js';

export interface OidcFlowRow {
  state: string;
  nonce: string;
  code_verifier: string;
}

/** All of console_oidc_flow's SQL: sign-ins started and not yet finished, each finished at most once. */
@Injectable()
export class OidcFlowRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a started sign-in, and forgets the ones abandoned (expired) meanwhile. */
  async insert(idHash: string, flow: OidcFlowRow, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM console_oidc_flow WHERE expires_at <= $1`, [createdAt]);
    await this.dataSource.query(
      `INSERT INTO console_oidc_flow (id, state, nonce, code_verifier, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [idHash, flow.state, flow.nonce, flow.code_verifier, createdAt, expiresAt],
    );
  }

  /** Takes a started sign-in, if it is still live: one statement, so a replayed callback finds nothing. */
  async take(idHash: string, now: Date): Promise<OidcFlowRow | null> {
    const rows = await sqlRows<OidcFlowRow & { expires_at: Date }>(
      this.dataSource.manager,
      `DELETE FROM console_oidc_flow WHERE id = $1 RETURNING state, nonce, code_verifier, expires_at`,
      [idHash],
    );
    const row = rows[0];
    return row && new Date(row.expires_at) > now ? { state: row.state, nonce: row.nonce, code_verifier: row.code_verifier } : null;
  }
}
