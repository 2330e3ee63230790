import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cios, type CliRun } from './support/cli.js';
import { redisAvailable, startRedis, type RedisServer } from './support/redis.js';
import { startS3, type S3Server } from './support/s3.js';
import { argvRecorder } from './support/secrets.js';

const unavailable = redisAvailable();
if (unavailable) console.warn(`redis tests skipped: ${unavailable}`);

const PASSWORD = `redis-pw-${process.pid}-Qm5`;

describe.skipIf(unavailable)('cios-backup redis against a real redis-server', () => {
  let source: RedisServer;
  let s3: S3Server;
  let dir: string;
  let recorder: ReturnType<typeof argvRecorder>;
  const runs: CliRun[] = [];
  const stopped: RedisServer[] = [];
  const dataDirs: string[] = [];

  const run = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await cios(args, {
      PATH: `${recorder.dir}:${process.env['PATH'] ?? ''}`,
      BACKUP_SOURCE_HOST: '127.0.0.1',
      BACKUP_SOURCE_PORT: String(source.port),
      BACKUP_RETENTION_DAYS: '7',
      REDIS_PASSWORD: PASSWORD,
      ...extra,
    });
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    recorder = argvRecorder(['redis-cli']);
    [source, s3] = await Promise.all([startRedis(PASSWORD), startS3()]);
    dir = mkdtempSync(join(tmpdir(), 'cios-backup-dest-'));
    for (let i = 0; i < 200; i++) await source.cli('SET', `session:${i}`, `value-${i}`);
    await source.cli('RPUSH', 'queue:mail', 'a', 'b', 'c');
    await source.cli('HSET', 'tenant:42', 'name', 'Maple Immigration', 'plan', 'pro');
  });

  afterAll(async () => {
    await Promise.all([source?.stop(), s3?.stop(), ...stopped.map((s) => s.stop())]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    if (recorder) rmSync(recorder.dir, { recursive: true, force: true });
  });

  for (const kind of ['file', 's3'] as const) {
    it(`backs up to ${kind}, verifies, restores into a data directory holding an AOF, and a fresh server (appendonly ${kind === 'file' ? 'yes' : 'no'}) has the data`, async () => {
      const destination = kind === 's3' ? `s3://${s3.bucket}/redis/prod/prod-toronto/` : `${pathToFileURL(dir).href}/redis/`;
      const extra = kind === 's3' ? { ...s3.env, BACKUP_DESTINATION: destination } : { BACKUP_DESTINATION: destination };
      const backup = await run(['redis', '--rdb', '--json'], extra);
      expect(backup.code, backup.stderr).toBe(0);
      const { manifest, artifacts } = JSON.parse(backup.stdout) as { manifest: string; artifacts: { object: string; name: string }[] };
      expect(artifacts.map((a) => a.object)).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z-redis\.rdb$/)]);

      const verify = await run(['verify', 'redis', '--json'], extra);
      expect(verify.code, verify.stderr).toBe(0);
      expect((JSON.parse(verify.stdout) as { manifest: string }).manifest).toBe(manifest);

      // The master's volume as the StatefulSet leaves it: appendonly on, with an AOF that would win over dump.rdb.
      const dataDir = mkdtempSync(join(tmpdir(), `cios-backup-redis-data-${kind}-`));
      dataDirs.push(dataDir);
      mkdirSync(join(dataDir, 'appendonlydir'));
      writeFileSync(join(dataDir, 'appendonlydir', 'appendonly.aof.1.base.rdb'), 'stale');
      const restore = await run(['restore', 'redis', '--from', manifest, '--data-dir', dataDir, '--json'], kind === 's3' ? s3.env : {});
      expect(restore.code, restore.stderr).toBe(0);
      const restored = JSON.parse(restore.stdout) as { target: string; movedAof: string };
      expect(restored.target).toBe(join(dataDir, 'dump.rdb'));
      expect(restored.movedAof).toMatch(/appendonlydir\.before-restore-\d{8}T\d{6}Z$/);
      expect(readdirSync(dataDir).sort()).toEqual(['appendonlydir', restored.movedAof.split('/').at(-1), 'dump.rdb'].sort());

      // appendonly yes as the StatefulSet runs it (loads the AOF base), no as a plain server (loads dump.rdb).
      const fresh = await startRedis(PASSWORD, { dir: dataDir, appendonly: kind === 'file' });
      stopped.push(fresh);
      expect(await fresh.cli('DBSIZE')).toBe('202');
      expect(await fresh.cli('GET', 'session:137')).toBe('value-137');
      expect(await fresh.cli('LRANGE', 'queue:mail', '0', '-1')).toBe('a\nb\nc');
      expect(await fresh.cli('HGET', 'tenant:42', 'name')).toBe('Maple Immigration');
    });
  }

  it('hands redis-cli the password in REDISCLI_AUTH only, and prints it nowhere', async () => {
    const wrong = `wrong-redis-${process.pid}-Hh2`;
    const failed = await cios(['redis', '--rdb'], {
      PATH: process.env['PATH'] ?? '',
      BACKUP_SOURCE_HOST: '127.0.0.1',
      BACKUP_SOURCE_PORT: String(source.port),
      BACKUP_RETENTION_DAYS: '7',
      BACKUP_DESTINATION: `${pathToFileURL(dir).href}/failed/`,
      REDIS_PASSWORD: wrong,
    });
    expect(failed.code).toBe(1);
    expect(`${failed.stdout}${failed.stderr}`).not.toContain(wrong);

    const output = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    expect(runs.length).toBeGreaterThanOrEqual(6);
    expect(output).not.toContain(PASSWORD);
    const argv = recorder.read();
    expect(argv).toContain('redis-cli -h 127.0.0.1');
    expect(argv).toContain('--rdb');
    expect(argv).not.toContain(PASSWORD);
  });
});
