import { ApiProperty } from '@nestjs/swagger';

export class GateCheckDto {
  @ApiProperty({ enum: ['prod_use_enabled', 'min_confidence', 'min_sandbox_trials', 'min_sandbox_success_rate', 'kill_switch_released'] })
  gate: string;

  @ApiProperty({ description: 'The reason code this gate gives when it fails', example: 'insufficient_sandbox_trials' })
  reason_code: string;

  @ApiProperty() passed: boolean;

  @ApiProperty({ description: 'The actual value (number or boolean; null when there is nothing to judge)', oneOf: [{ type: 'number', nullable: true }, { type: 'boolean' }] })
  actual: number | boolean | null;

  @ApiProperty({ description: 'The value the policy requires', oneOf: [{ type: 'number' }, { type: 'boolean' }] })
  required: number | boolean;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'How far from passing in the gate’s unit (trials to record, successes in a row, confidence short); 0 when passed; null when only an operator can close it',
  })
  shortfall: number | null;

  @ApiProperty({ example: '12 more trials (63 of 75 in today’s window)' })
  distance: string;
}
