/**
 * The decide statement (ApprovalsRepository.decide) and how the database's own refusals read.
 * Persons (docs/auth.md, "Persons"): a principal's person is `token:<owner>` for a token, `system`
 * for Warden, else its name; `warden_principal_person` and `warden_token_makers` (migration
 * TokenOwners) compute them from api_token, so the rules hold for decisions recorded before persons.
 *
 * $1 id, $2 now, $3 approver name, $4 approver token id, $5 role, $6 decision, $7 reason, $8 person.
 */
export const DECIDE_SQL = `
WITH req AS (
  SELECT id, kind, status, expires_at, requested_by, requested_by_token, approver_roles, filed_at,
         warden_principal_person(requested_by_token, requested_by) AS requester
    FROM approval_request WHERE id = $1 FOR UPDATE
), decider AS (
  -- The deciding token's row (none for Warden's own or the CLI's principal): when and by whom it was made.
  SELECT t.created_at, t.created_by, warden_token_makers(t.id::text) AS makers FROM api_token t WHERE t.id::text = $4
), earlier AS (
  SELECT d.approver_token AS token, coalesce(d.approver_person, warden_principal_person(d.approver_token, d.approver)) AS person,
         warden_token_makers(d.approver_token) AS makers
    FROM approval_decision d WHERE d.approval_id = $1
), verdict AS (
  SELECT req.*, CASE
      WHEN req.status <> 'pending' THEN 'not_pending'
      WHEN req.expires_at <= $2 THEN 'expired'
      WHEN req.requested_by = $3 OR req.requested_by_token = $4 OR req.requester = $8 THEN 'self_decision'
      WHEN req.requester <> 'system'
       AND EXISTS (SELECT 1 FROM decider k WHERE lower(k.created_by) = lower(req.requested_by) OR req.requester = ANY (k.makers)) THEN 'made_by_requester'
      WHEN EXISTS (SELECT 1 FROM decider k WHERE k.created_at >= req.filed_at) THEN 'made_after_request'
      WHEN NOT ($5::text = ANY (req.approver_roles)) THEN 'role_not_allowed'
      WHEN EXISTS (SELECT 1 FROM earlier e WHERE e.token = $4) THEN 'duplicate'
      WHEN EXISTS (SELECT 1 FROM earlier e
                    WHERE e.person = $8 OR $8 = ANY (e.makers) OR EXISTS (SELECT 1 FROM decider k WHERE e.person = ANY (k.makers))) THEN 'person_decided'
      ELSE 'ok' END AS outcome
    FROM req
), ins AS (
  INSERT INTO approval_decision (approval_id, approver, approver_token, approver_role, decision, reason, decided_at, approver_person)
  SELECT id, $3, $4, $5, $6, $7, $2, $8 FROM verdict WHERE outcome = 'ok'
  ON CONFLICT DO NOTHING
  RETURNING approval_id, decision
), upd AS (
  UPDATE approval_request r SET
      approvals = r.approvals + CASE WHEN ins.decision = 'approve' THEN 1 ELSE 0 END,
      status = CASE WHEN ins.decision = 'reject' THEN 'rejected' WHEN r.approvals + 1 >= r.min_approvals THEN 'approved' ELSE 'pending' END,
      decided_at = CASE WHEN ins.decision = 'reject' OR r.approvals + 1 >= r.min_approvals THEN $2::timestamptz END
    FROM ins WHERE r.id = ins.approval_id
  RETURNING r.id, r.kind, r.status
), ev AS (
  INSERT INTO approval_decided_event (approval_id, kind, status) SELECT id, kind, status FROM upd WHERE status <> 'pending'
)
SELECT v.outcome, v.kind, (SELECT count(*) FROM ins)::int AS inserted,
       CASE WHEN v.status = 'pending' AND v.expires_at <= $2 THEN 'expired' ELSE v.status END AS status_before,
       u.status AS status_after
  FROM verdict v LEFT JOIN upd u ON u.id = v.id`;

/** Why a decider may not decide (403 self_decision_forbidden), or why it does not count again (409). */
export type SelfDecision = 'self_decision' | 'made_by_requester' | 'made_after_request' | 'person_decided';

/**
 * The trigger on approval_decision refused a decision the statement let through (a decider racing
 * another of the same person): the outcome it stands for, or null for any other error.
 */
export function triggerRefusal(err: unknown): 'self_decision' | 'person_decided' | null {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const d = e.driverError ?? e;
  if (d.code === '42501' && d.constraint === 'approval_decision_not_requester') return 'self_decision';
  if (d.code === '23505' && d.constraint === 'ux_approval_decision_person') return 'person_decided';
  return null;
}
