import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The one control-plane row (id = 1). */
@Entity({ name: 'go_live_state' })
export class GoLiveStateEntity {
  @PrimaryColumn({ type: 'smallint', name: 'id' }) id: number;
  @Column({ type: 'boolean', name: 'go_live_enabled' }) goLiveEnabled: boolean;
  @Column({ type: 'boolean', name: 'kill_switch_engaged' }) killSwitchEngaged: boolean;
  @Column({ type: 'text', name: 'reason', nullable: true }) reason: string | null;
  @Column({ type: 'text', name: 'changed_by' }) changedBy: string;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
  @Column({ type: 'bigint', name: 'version' }) version: string;
}

@Entity({ name: 'go_live_attestation' })
export class GoLiveAttestationEntity {
  @PrimaryColumn({ type: 'text', name: 'item' }) item: string;
  @Column({ type: 'boolean', name: 'attested' }) attested: boolean;
  @Column({ type: 'text', name: 'note', nullable: true }) note: string | null;
  @Column({ type: 'text', name: 'attested_by' }) attestedBy: string;
  @Column({ type: 'timestamptz', name: 'attested_at' }) attestedAt: Date;
}
