import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { GateCheck } from '../decide/gates.js';

/** A recommendation and the decision taken when it was created (append-only; re-checks are events). */
@Entity({ name: 'heimdall_recommendation' })
@Index('ix_heimdall_recommendation_domain_seq', ['domain', 'seq'])
export class HeimdallRecommendationEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id' }) id: string;
  /** Insertion order, for cursor pagination. */
  @Column({ type: 'bigint', name: 'seq', insert: false, update: false }) seq: string;
  @Column({ type: 'text', name: 'domain' }) domain: string;
  @Column({ type: 'numeric', name: 'confidence' }) confidence: string;
  @Column({ type: 'jsonb', name: 'payload', nullable: true }) payload: Record<string, unknown> | null;
  @Column({ type: 'text', name: 'correlation_id', nullable: true }) correlationId: string | null;
  @Column({ type: 'text', name: 'request_digest' }) requestDigest: string;
  @Column({ type: 'boolean', name: 'prod_eligible' }) prodEligible: boolean;
  @Column({ type: 'text', name: 'gate_reason' }) gateReason: string;
  @Column({ type: 'text', name: 'reason_codes', array: true }) reasonCodes: string[];
  @Column({ type: 'jsonb', name: 'gates' }) gates: GateCheck[];
  @Column({ type: 'text', name: 'created_by' }) createdBy: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
