/** Exit codes shared by every CIOS CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2, lock: 3 } as const;

/** Wrong flags or arguments: exit 2 with the usage hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Refused input or a failed check: exit 1 with the message alone, never a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}
