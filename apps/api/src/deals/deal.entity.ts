import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A deal the example engine executed. */
@Entity({ name: 'deal' })
@Index('ux_deal_correlation', ['correlationId'], { unique: true })
export class DealEntity {
  @PrimaryGeneratedColumn('uuid', { name: 'id' }) id: string;
  @Column({ type: 'text', name: 'engine' }) engine: string;
  @Column({ type: 'text', name: 'counterparty' }) counterparty: string;
  @Column({ type: 'numeric', name: 'amount' }) amount: string;
  @Column({ type: 'text', name: 'correlation_id' }) correlationId: string;
  @Column({ type: 'text', name: 'created_by' }) createdBy: string;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
}
