import { open, rename, copyFile, stat } from 'node:fs/promises';
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
  return { tools: { 'redis-cli': await toolVersion('redis-cli') }, files: [{ name: 'rdb', part: 'rdb', path }] };
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
  /** Where an AOF directory was moved, if there was one. */
  readonly movedAof?: string;
}

/**
 * Places the RDB as `<dataDir>/dump.rdb` (through a temporary name and a rename, so Redis never reads half a
 * file). With appendonly on, Redis loads its AOF and ignores dump.rdb, so an existing `appendonlydir` is moved
 * aside (kept, never deleted): Redis then loads the RDB and writes a fresh AOF from it. Redis must be stopped.
 */
export async function restoreRedis(path: string, dataDir: string, stamp: string): Promise<RedisRestoreResult> {
  const rdb = join(dataDir, 'dump.rdb');
  const partial = join(dataDir, '.dump.rdb.restoring');
  await copyFile(path, partial);
  let movedAof: string | undefined;
  const aof = join(dataDir, 'appendonlydir');
  const aofExists = await stat(aof).then(
    () => true,
    () => false,
  );
  if (aofExists) {
    movedAof = join(dataDir, `appendonlydir.before-restore-${stamp}`);
    await rename(aof, movedAof);
  }
  await rename(partial, rdb);
  return { rdb, ...(movedAof ? { movedAof } : {}) };
}
