import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The bin script (runs dist/main.js). The same path from src/ and dist/, both one level below the project. */
export const SAMPLE_API_BIN = fileURLToPath(new URL('../bin/sample-api.js', import.meta.url));
const BUILT_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface SpawnSampleApiOptions {
  /** Extra environment (SAMPLE_API_*, APP_VERSION, …). PORT defaults to 0 and HOST to 127.0.0.1. */
  readonly env?: Readonly<Record<string, string>>;
  /** Give up when no "listening" line came in this time. @default 15000 */
  readonly startTimeoutMs?: number;
}

export interface SampleApiProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Parsed JSON log lines seen so far (stdout). */
  readonly logs: ReadonlyArray<Record<string, unknown>>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends `signal` (SIGTERM by default) and resolves with how the process ended; safe to call twice. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the built bin as a child process, the way the image runs it, and resolves once it logs "listening".
 * For other projects' tests; always `await app.stop()` in afterAll/finally.
 */
export function spawnSampleApi(options: SpawnSampleApiOptions = {}): Promise<SampleApiProcess> {
  if (!existsSync(BUILT_MAIN)) {
    return Promise.reject(new Error(`${BUILT_MAIN} is missing: build it first (npx nx run @cios/sample-api:build)`));
  }
  const child = spawn(process.execPath, [SAMPLE_API_BIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  return new Promise<SampleApiProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sample-api did not log "listening" within ${options.startTimeoutMs ?? 15_000} ms; stderr: ${stderr}`));
    }, options.startTimeoutMs ?? 15_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`sample-api exited (code ${code}, signal ${signal}) before listening; stderr: ${stderr.trim()}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { msg: line };
        }
        logs.push(entry);
        if (entry.msg === 'listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          const port = entry.port;
          resolve({
            url: typeof entry.url === 'string' ? entry.url : `http://127.0.0.1:${port}`,
            port,
            child,
            logs,
            stderr: () => stderr,
            stop(signal: NodeJS.Signals = 'SIGTERM') {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
  });
}
