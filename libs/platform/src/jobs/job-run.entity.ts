import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One row per attempt; at most one `succeeded` row per job and period (partial unique index). */
@Entity({ name: 'job_run' })
@Index('ix_job_run_job_period', ['jobName', 'periodAt'])
export class JobRunEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', name: 'id' })
  id: string;

  @Column({ type: 'text', name: 'job_name' })
  jobName: string;

  /** The period boundary this run is for (e.g. the midnight that closed a day). */
  @Column({ type: 'timestamptz', name: 'period_at' })
  periodAt: Date;

  @Column({ type: 'text', name: 'status' })
  status: 'succeeded' | 'failed';

  @Column({ type: 'timestamptz', name: 'started_at' })
  startedAt: Date;

  @Column({ type: 'timestamptz', name: 'finished_at' })
  finishedAt: Date;

  @Column({ type: 'text', name: 'instance_id' })
  instanceId: string;

  @Column({ type: 'jsonb', name: 'result', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'text', name: 'error', nullable: true })
  error: string | null;
}
