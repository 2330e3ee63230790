/** A deploy the rules do not allow, or input that cannot be used: a sentence for people and an exit code. */
export class Refusal extends Error {
  constructor(
    message: string,
    /** 1 refused / invalid / failed check, 2 usage, 3 lock not obtained or stale state. */
    readonly exitCode: 1 | 2 | 3 = 1,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}
