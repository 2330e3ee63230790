/** Exit codes shared by every CIOS CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Wrong flags or arguments: exit 2 with the usage hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Invalid configuration, a failed tool or a failed check: exit 1 with the message alone. */
export class CliError extends Error {
  override name = 'CliError';
}
