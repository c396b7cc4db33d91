/**
 * Bad input to the pure decision (a change, a policy): a stable code, the field it is about, and
 * a sentence. The HTTP layer turns it into 400 with the platform's error body; the CLI into exit 6.
 */
export class ChangeInputError extends Error {
  constructor(
    readonly code: string,
    readonly field: string,
    message: string,
    /** Every problem found, when there were several (a change lists all its bad paths). */
    readonly problems: Array<{ field: string; code: string; problem: string }> = [{ field, code, problem: message }],
  ) {
    super(message);
    this.name = 'ChangeInputError';
  }
}
