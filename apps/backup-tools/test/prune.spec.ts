import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { formatStamp } from '../src/naming.js';
import { cios } from './support/cli.js';

const DAY = 86_400_000;
const root = mkdtempSync(join(tmpdir(), 'cios-backup-prune-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A prefix of the layout before per-cluster prefixes: expired backups, a recent one, and names prune must not touch. */
const recent = formatStamp(new Date(Date.now() - DAY));
const EXPIRED = ['20200101T000000Z-redis.rdb', '20200101T000000Z-redis.manifest.json', '20200102T000000Z-redis.rdb'];
const NEWEST_POSTGRES = ['20190101T000000Z-postgres.app.dump', '20190101T000000Z-postgres.manifest.json'];
const KEPT = [`${recent}-redis.rdb`, `${recent}-redis.manifest.json`, 'README.txt'];

let dir: string;
let n = 0;
beforeEach(() => {
  dir = join(root, `old-layout-${n++}`);
  mkdirSync(join(dir, 'prod', 'prod-toronto'), { recursive: true });
  for (const name of [...EXPIRED, ...NEWEST_POSTGRES, ...KEPT]) writeFileSync(join(dir, name), 'x');
  writeFileSync(join(dir, 'prod', 'prod-toronto', '20200101T000000Z-redis.rdb'), 'x');
});

const files = () => readdirSync(dir).filter((f) => f !== 'prod').sort();
const env = { BACKUP_RETENTION_DAYS: '7' };

describe('cios-backup prune', () => {
  it('--dry-run lists what the retention would delete and deletes nothing', async () => {
    const run = await cios(['prune', '--prefix', pathToFileURL(dir).href, '--dry-run', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { deleted: string[]; dryRun: boolean; newestComplete?: string };
    expect(result).toMatchObject({ dryRun: true, deleted: [...EXPIRED].sort() });
    expect(files()).toEqual([...EXPIRED, ...NEWEST_POSTGRES, ...KEPT].sort());
  });

  it('deletes expired backups directly under the prefix, keeping each service newest complete backup, other names and nested prefixes', async () => {
    const run = await cios(['prune', '--prefix', pathToFileURL(dir).href], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('deleted 3 objects');
    expect(files()).toEqual([...NEWEST_POSTGRES, ...KEPT].sort());
    expect(readdirSync(join(dir, 'prod', 'prod-toronto'))).toEqual(['20200101T000000Z-redis.rdb']);
  });

  it('--all-expired also deletes the newest backup once it is expired (a prefix nobody writes to any more)', async () => {
    const run = await cios(['prune', '--prefix', pathToFileURL(dir).href, '--retention-days', '30', '--all-expired', '--json'], {});
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { deleted: string[] }).deleted).toEqual([...EXPIRED, ...NEWEST_POSTGRES].sort());
    expect(files()).toEqual([...KEPT].sort());
  });

  it('refuses a missing retention, a bad --retention-days and positionals, deleting nothing', async () => {
    const missing = await cios(['prune', '--prefix', pathToFileURL(dir).href], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('BACKUP_RETENTION_DAYS: required to prune');
    const zero = await cios(['prune', '--prefix', pathToFileURL(dir).href, '--retention-days', '0'], {});
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--retention-days 0: must be a whole number of days');
    const extra = await cios(['prune', 'redis'], env);
    expect(extra.code).toBe(2);
    expect(files()).toEqual([...EXPIRED, ...NEWEST_POSTGRES, ...KEPT].sort());
  });
});
