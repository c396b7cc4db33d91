import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One KPI observation: a success flag or a value, never both. Append-only (a trigger rejects
 * UPDATE, DELETE and TRUNCATE). The primary key `pk_kpi_event` (domain, metric, id) INCLUDE
 * (success, value) makes the detector's window read a bounded index-only range scan.
 */
@Entity({ name: 'kpi_event' })
@Index('ux_kpi_event_correlation', ['correlationId'], { unique: true, where: 'correlation_id IS NOT NULL' })
export class KpiEventEntity {
  @PrimaryColumn({ type: 'text', name: 'domain', primaryKeyConstraintName: 'pk_kpi_event' }) domain: string;
  @PrimaryColumn({ type: 'text', name: 'metric', primaryKeyConstraintName: 'pk_kpi_event' }) metric: string;
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id', primaryKeyConstraintName: 'pk_kpi_event' }) id: string;
  @Column({ type: 'boolean', name: 'success', nullable: true }) success: boolean | null;
  @Column({ type: 'double precision', name: 'value', nullable: true }) value: number | null;
  @Column({ type: 'text', name: 'correlation_id', nullable: true }) correlationId: string | null;
  @Column({ type: 'timestamptz', name: 'recorded_at' }) recordedAt: Date;
  @Column({ type: 'text', name: 'recorded_by' }) recordedBy: string;
}

/** The kind a KPI stream is locked to by its first event, so one stream never mixes rates and values. */
@Entity({ name: 'kpi_stream' })
export class KpiStreamEntity {
  @PrimaryColumn({ type: 'text', name: 'domain' }) domain: string;
  @PrimaryColumn({ type: 'text', name: 'metric' }) metric: string;
  @Column({ type: 'text', name: 'kind' }) kind: 'success_rate' | 'mean_value';
  @Column({ type: 'timestamptz', name: 'first_recorded_at' }) firstRecordedAt: Date;
}
