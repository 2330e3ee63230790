import { describe, expect, it } from 'vitest';
import { cios } from './support/cli.js';

describe('cios-backup usage and configuration errors', () => {
  it('prints help with exit 0 and exits 2 on unknown commands, flags and services', async () => {
    const help = await cios(['--help'], {});
    expect(help.code).toBe(0);
    for (const command of ['postgres', 'redis', 'qdrant', 'list', 'verify', 'restore']) expect(help.stdout).toContain(command);
    expect((await cios(['restore', '--help'], {})).stdout).toContain('--data-dir');
    expect((await cios([], {})).code).toBe(2);
    expect((await cios(['mysql'], {})).code).toBe(2);
    expect((await cios(['postgres', '--format=plain'], {})).code).toBe(2);
    expect((await cios(['redis', '--nope'], {})).code).toBe(2);
    expect((await cios(['restore', 'mongo', '--from', 'file:///x/y'], {})).code).toBe(2);
    expect((await cios(['restore', 'redis'], {})).code).toBe(2);
  });

  it('exits 1 naming the missing or invalid variable, never its value', async () => {
    const missing = await cios(['postgres'], { BACKUP_SOURCE_PORT: '5432', BACKUP_RETENTION_DAYS: '35', BACKUP_DESTINATION: 'file:///tmp/x/' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('BACKUP_SOURCE_HOST: required to back up postgres');

    const invalid = await cios(['redis', '--json'], { BACKUP_SOURCE_HOST: 'h', BACKUP_SOURCE_PORT: '99999', BACKUP_RETENTION_DAYS: 'a week', BACKUP_DESTINATION: 's3://bucket/redis/' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/BACKUP_SOURCE_PORT: must be a TCP port/);
    expect(invalid.stderr).toMatch(/BACKUP_RETENTION_DAYS: must be a number/);
    expect(JSON.parse(invalid.stdout)).toHaveProperty('error');

    const keyId = await cios(['list'], { BACKUP_DESTINATION: 's3://bucket/redis/', BACKUP_SECRET_ACCESS_KEY: 'sekret-value-1234' });
    expect(keyId.code).toBe(1);
    expect(keyId.stderr).toContain('BACKUP_ACCESS_KEY_ID');
    expect(keyId.stderr).not.toContain('sekret-value-1234');
  });
});
