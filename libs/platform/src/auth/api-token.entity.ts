import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './principal.js';

@Entity({ name: 'api_token' })
@Index('ux_api_token_hash', ['tokenHash'], { unique: true })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ type: 'text', name: 'name' })
  name: string;

  /** sha256 of the token; the token itself is shown once at creation and never stored. */
  @Column({ type: 'text', name: 'token_hash', select: false })
  tokenHash: string;

  @Column({ type: 'text', name: 'role' })
  role: Role;

  @Column({ type: 'text', name: 'engines', array: true, nullable: true })
  engines: string[] | null;

  @Column({ type: 'text', name: 'domains', array: true, nullable: true })
  domains: string[] | null;

  /** Engine tokens only: the gate identities it may claim besides its own name (null: only its name). */
  @Column({ type: 'text', name: 'identities', array: true, nullable: true })
  identities: string[] | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'text', name: 'created_by' })
  createdBy: string;

  /** The person the token belongs to (docs/auth.md, "Persons"): given at creation, else its own name. */
  @Column({ type: 'text', name: 'owner' })
  owner: string;

  /** The SSO person (`oidc:<issuer>#<subject>`) the token belongs to, when that person created it; its person then (docs/auth.md). */
  @Column({ type: 'text', name: 'owner_person', nullable: true })
  ownerPerson: string | null;

  /** The maker's token id (`system` for Warden's own), beside its name in createdBy. */
  @Column({ type: 'text', name: 'created_by_token', nullable: true })
  createdByToken: string | null;

  /** The maker's person: approvals refuse a token its requester's person made. */
  @Column({ type: 'text', name: 'created_by_person', nullable: true })
  createdByPerson: string | null;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
