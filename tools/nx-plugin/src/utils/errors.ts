/** A refusal a person can act on: Nx prints the message without a stack trace worth reading. */
export class GeneratorError extends Error {
  override name = 'GeneratorError';
}
