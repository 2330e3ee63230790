import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { CliError } from './errors.js';
import { redact } from './redact.js';

export interface RunOptions {
  /** The child's whole environment besides PATH: secrets go here, never into args. */
  readonly env: Readonly<Record<string, string>>;
  /** Write stdout to this file (mode 0600) instead of capturing it. */
  readonly stdoutFile?: string;
  /** Values to strip from any error text. */
  readonly secrets: readonly string[];
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a tool with a minimal environment (PATH, a UTC clock, the given variables): no inherited secret reaches a
 * tool that does not need it. A non-zero exit is an error carrying the tail of stderr, redacted.
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TZ: 'UTC', LC_ALL: 'C.UTF-8', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let sink: ReturnType<typeof createWriteStream> | undefined;
    let sinkDone: Promise<void> = Promise.resolve();
    if (options.stdoutFile) {
      const stream = createWriteStream(options.stdoutFile, { mode: 0o600 });
      sink = stream;
      sinkDone = new Promise((res, rej) => {
        stream.on('finish', () => res());
        stream.on('error', rej);
      });
      child.stdout.pipe(stream);
    } else {
      child.stdout.on('data', (b: Buffer) => out.push(b));
    }
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (error: NodeJS.ErrnoException) => {
      sink?.destroy();
      reject(new CliError(error.code === 'ENOENT' ? `${command} not found on PATH` : `${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      void sinkDone.then(
        () => {
          const stderr = redact(Buffer.concat(err).toString('utf8'), options.secrets);
          if (code !== 0) {
            const tail = stderr.trim().split('\n').slice(-5).join('\n');
            reject(new CliError(`${command} failed (${signal ? `signal ${signal}` : `exit ${code}`})${tail ? `:\n${tail}` : ''}`));
            return;
          }
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr });
        },
        (error: Error) => reject(new CliError(`${command}: writing ${options.stdoutFile}: ${error.message}`)),
      );
    });
  });
}

/** First line of `tool --version`, for the manifest. */
export async function toolVersion(command: string): Promise<string> {
  const { stdout } = await run(command, ['--version'], { env: {}, secrets: [] });
  return stdout.trim().split('\n')[0] ?? '';
}
