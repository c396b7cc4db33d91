import { ApiProperty } from '@nestjs/swagger';

export class ChainHeadDto {
  @ApiProperty({ example: 'audit_log' }) log: string;
  @ApiProperty({ example: 1042 }) rows: number;
  @ApiProperty({ description: 'SHA-256 (hex) of the last row', example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }) head_hash: string;
}

export class ChainBreakDto {
  @ApiProperty({ enum: ['altered', 'inserted', 'deleted', 'reordered', 'head_mismatch', 'checkpoint_mismatch'] }) kind: string;
  @ApiProperty({ type: String, nullable: true, description: 'The order value (id, or seq) of the row where the chain first breaks; null past the last row' })
  at: string | null;
  @ApiProperty() detail: string;
}

export class ChainReportDto {
  @ApiProperty({ example: 'audit_log' }) log: string;
  @ApiProperty() intact: boolean;
  @ApiProperty() rows_checked: number;
  @ApiProperty({ description: 'Hash of the last row read' }) head_hash: string;
  @ApiProperty({ type: ChainHeadDto, nullable: true, description: 'The running head the trigger keeps' }) recorded: ChainHeadDto | null;
  @ApiProperty({ type: ChainBreakDto, nullable: true }) first_break: ChainBreakDto | null;
  @ApiProperty({ description: 'Every break found (the walk resynchronises after each)' }) breaks: number;
}

export class UntracedChangeDto {
  @ApiProperty({ example: 'go_live_state' }) table: string;
  @ApiProperty({ example: '1' }) key: string;
  @ApiProperty({ enum: ['changed_without_trace', 'inserted_without_trace', 'deleted_without_trace'] }) kind: string;
}

export class StateReportDto {
  @ApiProperty({ example: 'go_live_state' }) table: string;
  @ApiProperty() rows_checked: number;
  @ApiProperty({ type: [UntracedChangeDto], description: 'The first 20' }) untraced: UntracedChangeDto[];
  @ApiProperty() untraced_count: number;
}

/** `GET /api/governance/audit/verify`. */
export class VerifyReportDto {
  @ApiProperty({ description: 'Every chain intact and every state row accounted for by the journal' }) intact: boolean;
  @ApiProperty({ type: [ChainReportDto] }) chains: ChainReportDto[];
  @ApiProperty({ type: [StateReportDto] }) state: StateReportDto[];
}

/** `GET /api/governance/audit/heads`: the weekly checkpoint. */
export class ChainHeadsDto {
  @ApiProperty({ type: [ChainHeadDto] }) heads: ChainHeadDto[];
}
