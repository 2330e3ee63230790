import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStamp } from '../src/naming.js';
import { cios } from './support/cli.js';
import { redisAvailable, startRedis, type RedisServer } from './support/redis.js';
import { startS3, type S3Server } from './support/s3.js';

const unavailable = redisAvailable();
const PASSWORD = `redis-retention-${process.pid}`;
const DAY = 86_400_000;

/** Backdated objects: an expired run, a recent one, and things retention must never touch. */
function seed(): { prune: string[]; keepHere: string[]; elsewhere: string[] } {
  const recent = formatStamp(new Date(Date.now() - DAY));
  return {
    prune: ['20200101T000000Z-redis.rdb', '20200101T000000Z-redis.manifest.json', '20200102T000000Z-redis.rdb'],
    keepHere: [
      `${recent}-redis.rdb`,
      `${recent}-redis.manifest.json`,
      'notes.txt',
      // The only complete postgres backup in this prefix: the newest of its service, so kept though expired.
      '20190101T000000Z-postgres.manifest.json',
    ],
    elsewhere: ['redis/prod/prod-toronto-old/20200101T000000Z-redis.rdb', 'redis/prod/prod-toronto/archive/20200101T000000Z-redis.rdb', 'redis/prod/20200101T000000Z-redis.rdb'],
  };
}

describe.skipIf(unavailable)('retention after a backup', () => {
  let redis: RedisServer;
  let s3: S3Server;
  let dir: string;
  const env = (destination: string, extra: Record<string, string> = {}) => ({
    BACKUP_SOURCE_HOST: '127.0.0.1',
    BACKUP_SOURCE_PORT: String(redis.port),
    BACKUP_RETENTION_DAYS: '7',
    BACKUP_DESTINATION: destination,
    REDIS_PASSWORD: PASSWORD,
    ...extra,
  });

  beforeAll(async () => {
    [redis, s3] = await Promise.all([startRedis(PASSWORD), startS3()]);
    await redis.cli('SET', 'k', 'v');
    dir = mkdtempSync(join(tmpdir(), 'cios-backup-retention-'));
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), s3?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('on S3 deletes only expired objects of this tool directly under the prefix', async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const { prune, keepHere, elsewhere } = seed();
    const prefix = 'redis/prod/prod-toronto/';
    for (const key of [...prune.map((n) => prefix + n), ...keepHere.map((n) => prefix + n), ...elsewhere]) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'x' }));
    }
    const run = await cios(['redis', '--rdb', '--json'], env(`s3://${s3.bucket}/${prefix}`, s3.env));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { deleted: string[]; artifacts: { object: string }[] };
    expect(result.deleted).toEqual([...prune].sort());

    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
    const stem = result.artifacts[0]?.object.replace(/\.rdb$/, '') ?? '';
    expect(keys).toEqual([...keepHere.map((n) => prefix + n), ...elsewhere, `${prefix}${stem}.rdb`, `${prefix}${stem}.manifest.json`].sort());
    client.destroy();
  });

  it('in a directory does the same, and a failed backup deletes nothing', async () => {
    const target = join(dir, 'redis', 'prod', 'prod-toronto');
    mkdirSync(join(target, 'archive'), { recursive: true });
    const { prune, keepHere } = seed();
    for (const name of [...prune, ...keepHere, 'archive/20200101T000000Z-redis.rdb']) writeFileSync(join(target, name), 'x');
    const destination = `${pathToFileURL(target).href}/`;

    const failed = await cios(['redis', '--rdb'], env(destination, { REDIS_PASSWORD: 'not-the-password' }));
    expect(failed.code).toBe(1);
    expect(readdirSync(target).sort()).toEqual([...prune, ...keepHere, 'archive'].sort());

    const run = await cios(['redis', '--rdb', '--json'], env(destination));
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { deleted: string[] };
    expect(result.deleted).toEqual([...prune].sort());
    expect(readdirSync(target).filter((n) => prune.includes(n))).toEqual([]);
    expect(readdirSync(target)).toEqual(expect.arrayContaining([...keepHere, 'archive']));
    expect(readdirSync(join(target, 'archive'))).toEqual(['20200101T000000Z-redis.rdb']);
  });
});
