import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: a trigger rejects UPDATE and DELETE (migration Platform). */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_subject', ['subject', 'id'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id' })
  id: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'at' })
  at: Date;

  /** The token's principal: who did it. */
  @Column({ type: 'text', name: 'principal' })
  principal: string;

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
