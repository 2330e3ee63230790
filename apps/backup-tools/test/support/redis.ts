import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export function redisAvailable(): string | undefined {
  try {
    execFileSync('redis-server', ['--version']);
    return undefined;
  } catch {
    return 'redis-server missing (apt-get install redis-server; .ci/install-tools)';
  }
}

/**
 * redis-server on 127.0.0.1, password in a 0600 config file; `dir` may already hold an RDB to load.
 * The free port can be taken by another test's server before redis binds it: then redis exits, and
 * this starts it again on another port.
 */
export async function startRedis(password: string, options: { dir?: string; appendonly?: boolean } = {}): Promise<RedisServer> {
  const owned = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cios-backup-redis-'));
  let lastFailure = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const started = await startOnPort(port, password, dir, options.appendonly ?? false);
    if ('failure' in started) {
      lastFailure = started.failure;
      continue;
    }
    return { ...started.server, stop: () => started.server.stop().then(() => { if (owned) rmSync(dir, { recursive: true, force: true }); }) };
  }
  throw new Error(`redis-server did not start after 3 attempts: ${lastFailure}`);
}

async function startOnPort(port: number, password: string, dir: string, appendonly: boolean): Promise<{ server: RedisServer } | { failure: string }> {
  const conf = join(dir, '..', `redis-${port}.conf`);
  writeFileSync(
    conf,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `requirepass ${password}`, `appendonly ${appendonly ? 'yes' : 'no'}`, 'save ""', 'daemonize no'].join('\n'),
    { mode: 0o600 },
  );
  const child: ChildProcess = spawn('redis-server', [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  const cli = async (...args: string[]) => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...args], {
      env: { PATH: process.env['PATH'] ?? '', REDISCLI_AUTH: password },
    });
    return stdout.trim();
  };
  // Ready when it answers PING (redis loads any RDB before it accepts commands).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(conf, { force: true });
      return { failure: `redis-server on ${port} exited (${child.exitCode ?? child.signalCode}): ${output.trim().split('\n').slice(-3).join(' | ')}` };
    }
    const answer = await cli('PING').catch(() => '');
    if (answer === 'PONG') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(conf, { force: true });
      throw new Error(`redis-server on ${port} did not answer PING within 30 s: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(conf, { force: true });
  };
  return { server: { port, dir, cli, stop } };
}
