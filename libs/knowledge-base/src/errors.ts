/**
 * Every failure the library reports on purpose is a KbError: a short message
 * that names the file (and the field, when there is one) and an exit code for the CLI.
 */
export type KbErrorCode =
  | 'invalid' // the KB file is not a valid KB (syntax, shape, integrity)
  | 'refused' // the change is not allowed (e.g. already claimed, self-approval)
  | 'not_found' // no KB file, or no such task / deployment / approval
  | 'usage' // bad command-line usage
  | 'lock_timeout' // the lock was not obtained in time
  | 'stale_revision' // --expect-rev did not match
  | 'lock_lost'; // the lock was taken away while we held it: the write was aborted

const EXIT_CODES: Record<KbErrorCode, number> = {
  invalid: 1,
  refused: 1,
  not_found: 1,
  usage: 2,
  lock_timeout: 3,
  stale_revision: 3,
  lock_lost: 3,
};

export class KbError extends Error {
  readonly code: KbErrorCode;
  readonly file: string | undefined;
  /** Individual problems (already formatted as `path: message`), when there are several. */
  readonly issues: readonly string[];

  constructor(code: KbErrorCode, message: string, options: { file?: string; issues?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KbError';
    this.code = code;
    this.file = options.file;
    this.issues = options.issues ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isKbError(error: unknown): error is KbError {
  return error instanceof KbError;
}

/** Prefix a message with the file it is about. */
export function inFile(file: string | undefined, message: string): string {
  return file === undefined ? message : `${file}: ${message}`;
}
