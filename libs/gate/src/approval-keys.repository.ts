import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { sqlOne, sqlRows } from '#platform';

type Db = Pick<EntityManager, 'query'>;

export interface ApprovalKeyRow {
  key_id: string;
  public_key: string;
  name: string;
  registered_by: string;
  registered_at: Date;
  revoked_by: string | null;
  revoked_at: Date | null;
}

export interface TokenUse {
  token_id: string;
  key_id: string;
  approver_identity: string;
  decision_id: string;
  used_at: Date;
}

/** The registered gait approval keys and each token's one use (migration GateApprovalKeys). */
@Injectable()
export class ApprovalKeysRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  list(db: Db = this.db): Promise<ApprovalKeyRow[]> {
    return sqlRows<ApprovalKeyRow>(db, `SELECT * FROM gate_approval_key ORDER BY registered_at, name, key_id`);
  }

  /** The keys a token may be signed with now. */
  active(db: Db = this.db): Promise<ApprovalKeyRow[]> {
    return sqlRows<ApprovalKeyRow>(db, `SELECT * FROM gate_approval_key WHERE revoked_at IS NULL`);
  }

  get(keyId: string, db: Db = this.db): Promise<ApprovalKeyRow | undefined> {
    return sqlOne<ApprovalKeyRow>(db, `SELECT * FROM gate_approval_key WHERE key_id = $1`, [keyId]);
  }

  /** Registers a key; undefined when that key id is already registered (revoked or not: a revoked key is never re-armed). */
  insert(row: Omit<ApprovalKeyRow, 'revoked_by' | 'revoked_at'>, db: Db): Promise<ApprovalKeyRow | undefined> {
    return sqlOne<ApprovalKeyRow>(
      db,
      `INSERT INTO gate_approval_key (key_id, public_key, name, registered_by, registered_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key_id) DO NOTHING RETURNING *`,
      [row.key_id, row.public_key, row.name, row.registered_by, row.registered_at],
    );
  }

  revoke(keyId: string, by: string, at: Date, db: Db): Promise<ApprovalKeyRow | undefined> {
    return sqlOne<ApprovalKeyRow>(db, `UPDATE gate_approval_key SET revoked_by = $2, revoked_at = $3 WHERE key_id = $1 AND revoked_at IS NULL RETURNING *`, [keyId, by, at]);
  }

  /** Token ids of these already used by a decision. */
  async used(tokenIds: readonly string[], db: Db = this.db): Promise<string[]> {
    if (tokenIds.length === 0) return [];
    const rows = await sqlRows<{ token_id: string }>(db, `SELECT token_id FROM gate_approval_token_use WHERE token_id = ANY($1::text[])`, [tokenIds]);
    return rows.map((r) => r.token_id);
  }

  /** Records the uses; a token already used (concurrently) raises 23505, rolling the decision back. */
  async recordUses(uses: readonly TokenUse[], db: Db): Promise<void> {
    for (const u of uses) {
      await db.query(`INSERT INTO gate_approval_token_use (token_id, key_id, approver_identity, decision_id, used_at) VALUES ($1, $2, $3, $4, $5)`, [
        u.token_id, u.key_id, u.approver_identity, u.decision_id, u.used_at,
      ]);
    }
  }
}
