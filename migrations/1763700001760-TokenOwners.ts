import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Persons (docs/auth.md, "Persons"): a token belongs to a person, its `owner` (a token created
 * without one is its own person: owner = its name), and records who made it as a token id and a
 * person beside the name it recorded before. Approvals count persons and refuse a decider its
 * requester made (docs/approvals.md, "Rules"): the request records when it was filed in the
 * database's time, the one clock token creation also uses.
 *
 * Existing tokens become their own persons; their makers are resolved from the names recorded
 * (names are unique for good, revoked tokens included). `approval_decision` is append-only and
 * chained: its new column is nullable with no default, so no stored row changes.
 */
export class TokenOwners1763700001760 implements MigrationInterface {
  name = 'TokenOwners1763700001760';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_token ADD COLUMN owner text, ADD COLUMN created_by_token text, ADD COLUMN created_by_person text;
      UPDATE api_token SET owner = name;
      UPDATE api_token t SET
          created_by_token = coalesce((SELECT c.id::text FROM api_token c WHERE lower(c.name) = lower(t.created_by)),
                                      CASE WHEN t.created_by = 'system' THEN 'system' WHEN t.created_by LIKE 'cli:%' THEN 'cli' END),
          created_by_person = coalesce((SELECT 'token:' || lower(c.name) FROM api_token c WHERE lower(c.name) = lower(t.created_by)), t.created_by);
      ALTER TABLE api_token ALTER COLUMN owner SET NOT NULL;

      -- Whatever statement inserts a token, it has a person and a maker: its own name unless given.
      CREATE FUNCTION api_token_owner_default() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE maker api_token;
      BEGIN
        NEW.owner := coalesce(NEW.owner, NEW.name);
        IF NEW.created_by_token IS NULL OR NEW.created_by_person IS NULL THEN
          SELECT * INTO maker FROM api_token c WHERE lower(c.name) = lower(NEW.created_by);
          NEW.created_by_token := coalesce(NEW.created_by_token, maker.id::text, CASE WHEN NEW.created_by = 'system' THEN 'system' END);
          NEW.created_by_person := coalesce(NEW.created_by_person, 'token:' || lower(maker.owner), NEW.created_by);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER api_token_owner_default BEFORE INSERT ON api_token FOR EACH ROW EXECUTE FUNCTION api_token_owner_default();

      -- The person behind a principal as approvals record it (token id, name): a token's owner;
      -- 'system' for Warden's own acts; otherwise the name (the local CLI's cli:<user>).
      CREATE FUNCTION warden_principal_person(p_token text, p_name text) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT CASE WHEN p_token = 'system' THEN 'system'
                    ELSE coalesce((SELECT 'token:' || lower(t.owner) FROM api_token t WHERE t.id::text = p_token), p_name) END
      $$;

      -- The persons who made a token, its maker's maker and so on up to Warden ('system' is no person).
      CREATE FUNCTION warden_token_makers(p_token text) RETURNS text[] LANGUAGE sql STABLE AS $$
        WITH RECURSIVE chain (id, maker_token, maker_person, depth) AS (
          SELECT t.id::text, t.created_by_token, t.created_by_person, 0 FROM api_token t WHERE t.id::text = p_token
          UNION ALL
          SELECT p.id::text, p.created_by_token, p.created_by_person, c.depth + 1
            FROM chain c JOIN api_token p ON p.id::text = c.maker_token WHERE c.depth < 100
        )
        SELECT coalesce(array_agg(DISTINCT maker_person) FILTER (WHERE maker_person IS NOT NULL AND maker_person <> 'system'), '{}') FROM chain
      $$;

      ALTER TABLE approval_request ADD COLUMN filed_at timestamptz;
      UPDATE approval_request SET filed_at = created_at;
      ALTER TABLE approval_request ALTER COLUMN filed_at SET DEFAULT now(), ALTER COLUMN filed_at SET NOT NULL;

      ALTER TABLE approval_decision ADD COLUMN approver_person text;
      CREATE UNIQUE INDEX ux_approval_decision_person ON approval_decision (approval_id, approver_person) WHERE approver_person IS NOT NULL;

      -- The last line of the decision rules (the decide statement checks the same first): whatever
      -- statement inserts a decision, the requester (by name, token or person), a token the
      -- requester's person made (directly or through tokens it made), a token made at or after the
      -- filing, and a second decision of one person (or of a person beside a token it made) are
      -- refused. Its queries see what committed before they ran, so two deciders racing past the
      -- statement's own checks are still caught here.
      CREATE OR REPLACE FUNCTION approval_decision_not_requester() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE r approval_request; t api_token; requester text; person text;
      BEGIN
        SELECT * INTO r FROM approval_request WHERE id = NEW.approval_id;
        IF NOT FOUND THEN RETURN NEW; END IF;
        requester := warden_principal_person(r.requested_by_token, r.requested_by);
        person := coalesce(NEW.approver_person, warden_principal_person(NEW.approver_token, NEW.approver));
        SELECT * INTO t FROM api_token WHERE id::text = NEW.approver_token;
        IF r.requested_by = NEW.approver OR r.requested_by_token = NEW.approver_token OR person = requester
           OR (FOUND AND requester <> 'system' AND (lower(t.created_by) = lower(r.requested_by) OR requester = ANY (warden_token_makers(NEW.approver_token))))
           OR (FOUND AND t.created_at >= r.filed_at) THEN
          RAISE EXCEPTION 'the requester of approval % cannot decide it, nor a token made by the requester or after the request', NEW.approval_id
            USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'approval_decision_not_requester';
        END IF;
        IF EXISTS (SELECT 1 FROM approval_decision d
                    WHERE d.approval_id = NEW.approval_id
                      AND (coalesce(d.approver_person, warden_principal_person(d.approver_token, d.approver)) = person
                           OR coalesce(d.approver_person, warden_principal_person(d.approver_token, d.approver)) = ANY (warden_token_makers(NEW.approver_token))
                           OR person = ANY (warden_token_makers(d.approver_token)))) THEN
          RAISE EXCEPTION 'a person counts once on approval %', NEW.approval_id
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'ux_approval_decision_person';
        END IF;
        RETURN NEW;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION approval_decision_not_requester() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM approval_request r WHERE r.id = NEW.approval_id
                   AND (r.requested_by = NEW.approver OR r.requested_by_token = NEW.approver_token)) THEN
          RAISE EXCEPTION 'the requester of approval % cannot decide it', NEW.approval_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$;
      DROP INDEX ux_approval_decision_person;
      ALTER TABLE approval_decision DROP COLUMN approver_person;
      ALTER TABLE approval_request DROP COLUMN filed_at;
      DROP FUNCTION warden_token_makers(text);
      DROP FUNCTION warden_principal_person(text, text);
      DROP TRIGGER api_token_owner_default ON api_token;
      DROP FUNCTION api_token_owner_default();
      ALTER TABLE api_token DROP COLUMN created_by_person, DROP COLUMN created_by_token, DROP COLUMN owner;
    `);
  }
}
