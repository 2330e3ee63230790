import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a command prints to: injected so tests run commands in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
}

/** Progress lines on stderr: plain lines (no cursor tricks) when not a TTY or with --json, so logs stay readable. */
export interface Progress {
  step(text: string): void;
  done(text: string): void;
  info(text: string): void;
}

export function createProgress(io: Io, json: boolean): Progress {
  const started = new Map<string, number>();
  let last = '';
  return {
    step(text) {
      last = text;
      started.set(text, Date.now());
      io.stderr(`… ${text}\n`);
    },
    done(text) {
      const begin = started.get(last);
      const seconds = begin === undefined ? '' : ` (${((Date.now() - begin) / 1000).toFixed(1)}s)`;
      io.stderr(`✓ ${text}${json ? '' : seconds}\n`);
    },
    info(text) {
      io.stderr(`  ${text}\n`);
    },
  };
}

/** Write through a temporary file and a rename: readers see the old file or the whole new one, never half. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
