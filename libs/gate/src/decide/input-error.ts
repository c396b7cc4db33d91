/**
 * Invalid policy or intent input. Pure (no Nest): the CLI maps it to exit 6, the HTTP route (a
 * later wave) to 400 `invalid_gate_input`. `field` names the offending path when one is known.
 */
export class GateInputError extends Error {
  readonly code = 'invalid_gate_input';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GateInputError';
  }
}
