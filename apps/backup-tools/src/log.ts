import { redact } from './redact.js';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => Date;
}

export interface Logger {
  info(message: string): void;
}

/** Progress on stderr (stdout stays for results), every line redacted of the secrets present. */
export function logger(io: Io, secrets: readonly string[]): Logger {
  return { info: (message) => io.stderr(`cios-backup: ${redact(message, secrets)}\n`) };
}
