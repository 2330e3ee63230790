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

/** redis-server on 127.0.0.1, password in a 0600 config file; `dir` may already hold an RDB to load. */
export async function startRedis(password: string, options: { dir?: string; appendonly?: boolean } = {}): Promise<RedisServer> {
  const owned = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cios-backup-redis-'));
  const port = await freePort();
  const conf = join(dir, '..', `redis-${port}.conf`);
  writeFileSync(
    conf,
    [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `requirepass ${password}`, `appendonly ${options.appendonly ? 'yes' : 'no'}`, 'save ""', 'daemonize no'].join('\n'),
    { mode: 0o600 },
  );
  const child: ChildProcess = spawn('redis-server', [conf], { stdio: 'ignore' });
  const cli = async (...args: string[]) => {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning', ...args], {
      env: { PATH: process.env['PATH'] ?? '', REDISCLI_AUTH: password },
    });
    return stdout.trim();
  };
  // Ready when it answers PING (redis loads any RDB before it accepts commands).
  for (let attempt = 0; ; attempt++) {
    const answer = await cli('PING').catch(() => '');
    if (answer === 'PONG') break;
    if (attempt > 200) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dir,
    cli,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(conf, { force: true });
      // A directory the caller handed in is the caller's to remove.
      if (owned) rmSync(dir, { recursive: true, force: true });
    },
  };
}
