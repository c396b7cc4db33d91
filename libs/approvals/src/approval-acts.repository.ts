import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sqlRows } from '#platform';
import type { ApprovalRow } from './approvals.repository.js';

type Db = Pick<EntityManager, 'query'>;

/** The SQL of bound acts: voiding the open requests of an act whose state moved on. */
@Injectable()
export class ApprovalActsRepository {
  /**
   * Cancels, in one statement, every pending (unexpired) request for `act` on `subject` that is not
   * bound to `current` (null: none is current any more), and writes their decided events (nothing
   * runs for a cancelled request; the event only marks it handled). A concurrent decider holds the
   * row lock: this waits for it and skips the row if the decision left it no longer pending.
   */
  voidStale(db: Db, input: { act: string; subject: string; current: string | null; now: Date }): Promise<ApprovalRow[]> {
    return sqlRows<ApprovalRow>(
      db,
      `WITH upd AS (
         UPDATE approval_request r SET status = 'cancelled', decided_at = $4
          WHERE r.act = $1 AND r.subject = $2 AND r.status = 'pending' AND r.expires_at > $4
            AND r.bound_version IS DISTINCT FROM $3::text
         RETURNING r.*
       ), ev AS (
         INSERT INTO approval_decided_event (approval_id, kind, status) SELECT id, kind, status FROM upd
       )
       SELECT r.*, r.status AS stored_status FROM upd r ORDER BY r.seq`,
      [input.act, input.subject, input.current, input.now],
    );
  }
}
