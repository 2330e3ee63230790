import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cios } from './support/cli.js';
import { startQdrantStandIn, type QdrantStandIn } from './support/qdrant-stand-in.js';

const API_KEY = `qdrant-key-${process.pid}-Wt7`;

// Not real Qdrant (no binary on this machine): a stand-in of its documented snapshot API, so these tests
// check cios-backup's side of the protocol (calls, header, clean-up, checksums), not Qdrant's behaviour.
describe('cios-backup qdrant against a stand-in of the snapshot API', () => {
  let qdrant: QdrantStandIn;
  let dir: string;
  const collections = { 'legislation': randomBytes(200_000), 'case documents': randomBytes(50_000) };
  const env = (extra: Record<string, string> = {}) => ({
    BACKUP_SOURCE_HOST: '127.0.0.1',
    BACKUP_SOURCE_PORT: String(qdrant.port),
    BACKUP_RETENTION_DAYS: '14',
    BACKUP_DESTINATION: `${pathToFileURL(dir).href}/qdrant/`,
    QDRANT_API_KEY: API_KEY,
    ...extra,
  });

  beforeAll(async () => {
    qdrant = await startQdrantStandIn(API_KEY, collections);
    dir = mkdtempSync(join(tmpdir(), 'cios-backup-qdrant-'));
  });
  afterAll(async () => {
    await qdrant?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('snapshots every collection, deletes the snapshots on the peer, and restores them by upload', async () => {
    const backup = await cios(['qdrant', '--snapshot-all', '--json'], env());
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout) as { manifest: string; artifacts: { object: string; name: string; size: number }[] };
    expect(result.artifacts.map((a) => [a.name, a.size])).toEqual([
      ['case documents', 50_000],
      ['legislation', 200_000],
    ]);
    expect(result.artifacts[0]?.object).toMatch(/^\d{8}T\d{6}Z-qdrant\.case%20documents\.snapshot$/);
    expect(qdrant.snapshots.size).toBe(0);

    const verify = await cios(['verify', 'qdrant'], env());
    expect(verify.code, verify.stderr).toBe(0);

    const restore = await cios(['restore', 'qdrant', '--from', result.manifest, '--json'], env());
    expect(restore.code, restore.stderr).toBe(0);
    expect(qdrant.uploads.get('legislation')?.equals(collections.legislation)).toBe(true);
    expect(qdrant.uploads.get('case documents')?.equals(collections['case documents'])).toBe(true);

    for (const output of [backup, verify, restore]) expect(`${output.stdout}${output.stderr}`).not.toContain(API_KEY);
    expect(qdrant.requests.map((r) => r.url).join('\n')).not.toContain(API_KEY);
    expect(qdrant.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
  });

  it('fails with exit 1 when the key is refused, and says so without the key', async () => {
    const wrong = `wrong-qdrant-key-${process.pid}`;
    const failed = await cios(['qdrant', '--snapshot-all'], env({ QDRANT_API_KEY: wrong }));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('answered 401');
    expect(failed.stderr).not.toContain(wrong);
  });
});
