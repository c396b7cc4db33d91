import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { AuditService, Clock, type Principal } from '#platform';
import { keyId, parsePublicKeyBase64 } from './decide/approval-token.js';
import { GateInputError } from './decide/input-error.js';
import { ApprovalKeysRepository, type TokenUse } from './approval-keys.repository.js';
import { ApprovalKeyDto } from './dto/approval-keys.dto.js';
import { GateErrors } from './gate.errors.js';
import { GATE } from './gate.lever.js';

/**
 * The gait approval keys an operator registered (docs/gate.md, "gait approval tokens"): a token
 * signed by one of them, not revoked, releases a require_approval once, as a Warden approval does.
 * Registering and revoking are audited; keys are never deleted (a decision names the key it used).
 */
@Injectable()
export class ApprovalKeysService {
  constructor(
    private readonly repo: ApprovalKeysRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<ApprovalKeyDto[]> {
    return (await this.repo.list()).map((r) => ApprovalKeyDto.from(r));
  }

  async register(principal: Principal, input: { public_key: string; name: string; reason: string }): Promise<ApprovalKeyDto> {
    let key: KeyObject;
    try {
      key = parsePublicKeyBase64(input.public_key);
    } catch (e) {
      if (e instanceof GateInputError) throw GateErrors.raise('approval_key_invalid', `public_key: ${e.message} (gait's format: standard base64 of the raw 32-byte ed25519 key)`);
      throw e;
    }
    const id = keyId(key);
    return this.repo.db.transaction(async (m) => {
      const row = await this.repo.insert({ key_id: id, public_key: input.public_key.trim(), name: input.name, registered_by: principal.name, registered_at: this.clock.now() }, m);
      if (!row) throw GateErrors.raise('approval_key_exists', `approval key ${id} is already registered (a revoked key stays revoked)`, { details: { key_id: id } });
      await this.audit.record(m, principal, { action: `${GATE.name}.approval_key.registered`, subject: `gate_approval_key:${id}`, reason: input.reason, details: { key_id: id, name: input.name } });
      return ApprovalKeyDto.from(row);
    });
  }

  async revoke(principal: Principal, keyIdText: string, reason: string): Promise<ApprovalKeyDto> {
    return this.repo.db.transaction(async (m) => {
      const row = await this.repo.revoke(keyIdText, principal.name, this.clock.now(), m);
      if (!row) {
        const existing = await this.repo.get(keyIdText, m);
        if (!existing) throw GateErrors.raise('approval_key_not_found', `no approval key ${keyIdText}`);
        return ApprovalKeyDto.from(existing); // already revoked: revoking again changes nothing
      }
      await this.audit.record(m, principal, { action: `${GATE.name}.approval_key.revoked`, subject: `gate_approval_key:${keyIdText}`, reason, details: { key_id: keyIdText, name: row.name } });
      return ApprovalKeyDto.from(row);
    });
  }

  /** The keys that verify tokens now, by gait key id. */
  async activeKeys(): Promise<Map<string, { key: KeyObject; name: string }>> {
    const out = new Map<string, { key: KeyObject; name: string }>();
    for (const r of await this.repo.active()) out.set(r.key_id, { key: parsePublicKeyBase64(r.public_key), name: r.name });
    return out;
  }

  usedTokens(tokenIds: readonly string[]): Promise<string[]> {
    return this.repo.used(tokenIds);
  }

  recordUses(uses: readonly TokenUse[], m: Parameters<ApprovalKeysRepository['recordUses']>[1]): Promise<void> {
    return this.repo.recordUses(uses, m);
  }
}
