import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: a trigger rejects UPDATE and DELETE (migration Platform). */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_subject', ['subject', 'id'])
@Index('ix_audit_log_principal_token', ['principalTokenId', 'id'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'at' })
  at: Date;

  /** The token's principal: who did it. */
  @Column({ type: 'text', name: 'principal' })
  principal: string;

  /**
   * The id of the token that did it (`system` for Warden's own acts, `cli` for the local CLI;
   * null on rows recorded before token ids were kept). With the name, it tells apart two
   * callers a name alone could not.
   */
  @Column({ type: 'text', name: 'principal_token_id', nullable: true })
  principalTokenId: string | null;

  /** A free label the caller sent (`actor`), kept beside the principal, never trusted. */
  @Column({ type: 'text', name: 'actor_label', nullable: true })
  actorLabel: string | null;

  @Column({ type: 'text', name: 'action' })
  action: string;

  @Column({ type: 'text', name: 'subject' })
  subject: string;

  @Column({ type: 'text', name: 'reason', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb', name: 'details', default: () => "'{}'" })
  details: Record<string, unknown>;
}
