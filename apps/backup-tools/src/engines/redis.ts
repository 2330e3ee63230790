import { copyFile, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { run, toolVersion } from '../exec.js';
import type { EngineContext, EngineDump, Source } from './engine.js';

/** `redis-cli --rdb` asks the server for a full-sync payload: a consistent snapshot, no write to its disk. */
export async function dumpRedis(context: EngineContext, source: Source): Promise<EngineDump> {
  const path = join(context.workdir, 'dump.rdb');
  context.log.info(`redis-cli --rdb from ${source.host}:${source.port}`);
  await run('redis-cli', ['-h', source.host, '-p', String(source.port), '--no-auth-warning', '--rdb', path], {
    // REDISCLI_AUTH: redis-cli's documented way to take the password without argv (-a would show in ps).
    env: context.config.REDIS_PASSWORD ? { REDISCLI_AUTH: context.config.REDIS_PASSWORD } : {},
    secrets: context.secrets,
  });
  return { tools: { 'redis-cli': await toolVersion('redis-cli') }, files: [{ kind: 'rdb', name: 'rdb', part: 'rdb', path }] };
}

/** An RDB file starts with "REDIS" and a four-digit version; redis-check-rdb then walks every key. */
export async function checkRdb(context: Pick<EngineContext, 'secrets'>, path: string): Promise<void> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(9);
  try {
    await handle.read(head, 0, 9, 0);
  } finally {
    await handle.close();
  }
  if (!/^REDIS\d{4}$/.test(head.toString('latin1'))) throw new CliError(`${path}: not an RDB file (no REDIS header)`);
  await run('redis-check-rdb', [path], { env: {}, secrets: context.secrets });
}

export interface RedisRestoreResult {
  readonly rdb: string;
  /** The AOF directory written with the RDB as its base. */
  readonly aof: string;
  /** Where the previous AOF directory was moved, if there was one. */
  readonly movedAof?: string;
}

/** Redis's defaults (appenddirname, appendfilename): the StatefulSet's configuration sets neither. */
const AOF_DIR = 'appendonlydir';
const AOF_FILE = 'appendonly.aof';

/**
 * Places the RDB so Redis 7 loads it whichever persistence it starts with. With `appendonly yes` (the
 * StatefulSet's setting) Redis loads only its AOF and, when there is none, starts EMPTY (it ignores dump.rdb;
 * the tests show it), so the RDB also becomes the base of a new multi-part AOF: `appendonlydir/appendonly.aof.1.base.rdb`
 * plus the manifest naming it, the layout Redis 7 itself writes after a rewrite. With `appendonly no` Redis
 * loads `dump.rdb`. An existing AOF directory is moved aside (kept, never deleted). Redis must be stopped.
 * Every file is written under a temporary name and renamed, so Redis never reads half of one.
 */
export async function restoreRedis(path: string, dataDir: string, stamp: string): Promise<RedisRestoreResult> {
  const rdb = join(dataDir, 'dump.rdb');
  const partialRdb = join(dataDir, '.dump.rdb.restoring');
  await copyFile(path, partialRdb);

  const newAof = join(dataDir, `.${AOF_DIR}.restoring`);
  await rm(newAof, { recursive: true, force: true });
  await mkdir(newAof, { mode: 0o750 });
  const base = `${AOF_FILE}.1.base.rdb`;
  await copyFile(path, join(newAof, base));
  await writeFile(join(newAof, `${AOF_FILE}.manifest`), `file ${base} seq 1 type b\n`);

  const aof = join(dataDir, AOF_DIR);
  let movedAof: string | undefined;
  const aofExists = await stat(aof).then(
    () => true,
    () => false,
  );
  if (aofExists) {
    movedAof = join(dataDir, `${AOF_DIR}.before-restore-${stamp}`);
    await rename(aof, movedAof);
  }
  await rename(newAof, aof);
  await rename(partialRdb, rdb);
  return { rdb, aof, ...(movedAof ? { movedAof } : {}) };
}
