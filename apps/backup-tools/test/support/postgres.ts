import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL cluster on 127.0.0.1 with password (scram) authentication for "postgres". */
export interface PgServer {
  readonly port: number;
  readonly password: string;
  psql(database: string, sql: string): Promise<string>;
  stop(): Promise<void>;
}

/** initdb refuses root: as root the cluster is owned by and runs as "nobody". */
function asServerUser(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
  return { prefix: ['runuser', '-u', 'nobody', '--'], uid, gid };
}

export function postgresAvailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) return `${BIN}/initdb missing (apt-get install postgresql)`;
  return undefined;
}

export async function startPostgres(password: string): Promise<PgServer> {
  const root = mkdtempSync(join(tmpdir(), 'cios-backup-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  mkdirSync(sockets);
  const pwfile = join(root, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  const user = asServerUser();
  if (user.uid !== undefined && user.gid !== undefined) {
    chownSync(root, user.uid, user.gid);
    chownSync(sockets, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const as = (cmd: string, args: string[]) => {
    const [first, ...rest] = [...user.prefix, cmd, ...args];
    return run(first as string, rest, { cwd: root });
  };
  await as(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C']);
  rmSync(pwfile);
  const port = await startOnFreePort((candidate) =>
    as(join(BIN, 'pg_ctl'), ['-D', data, '-w', '-t', '120', '-l', join(root, 'log'), '-o', `-p ${candidate} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']),
    join(root, 'log'),
  );
  return {
    port,
    password,
    psql: async (database, sql) => {
      const { stdout } = await run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', sql], {
        env: { PATH: process.env['PATH'] ?? '', PGPASSWORD: password },
      });
      return stdout.trim();
    },
    stop: async () => {
      await as(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The free port can be taken by another test's server before PostgreSQL binds it: then start again on another. */
async function startOnFreePort(start: (port: number) => Promise<unknown>, logFile: string): Promise<number> {
  let lastFailure = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    try {
      await start(port);
      return port;
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
      lastFailure = `${error instanceof Error ? error.message : String(error)} ${log}`;
    }
  }
  throw new Error(`PostgreSQL did not start after 3 attempts: ${lastFailure}`);
}
