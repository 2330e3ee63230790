import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../src/stores/s3-store.js';
import { startS3, type S3Server } from './support/s3.js';

describe('S3Store against s3rver', () => {
  let s3: S3Server;
  let dir: string;
  const store = (prefix: string, partSize?: number) =>
    new S3Store({
      bucket: s3.bucket,
      prefix,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      ...(partSize ? { partSize } : {}),
    });

  beforeAll(async () => {
    s3 = await startS3();
    dir = mkdtempSync(join(tmpdir(), 'cios-backup-s3store-'));
  });
  afterAll(async () => {
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a file larger than the part size in parts and reads back the same bytes', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 123);
    writeFileSync(join(dir, 'big'), data);
    const s = store('multi/', 5 * 1024 * 1024);
    await s.putFile('20260101T000000Z-postgres.app.dump', join(dir, 'big'));
    await s.getFile('20260101T000000Z-postgres.app.dump', join(dir, 'back'));
    expect(readFileSync(join(dir, 'back')).equals(data)).toBe(true);
    expect(await s.list()).toEqual([{ name: '20260101T000000Z-postgres.app.dump', size: data.length }]);
  });

  it('lists and deletes only directly under its prefix, never a sibling whose name extends it', async () => {
    await store('a/b/').putText('x.json', '{}');
    await store('a/bc/').putText('y.json', '{}');
    await store('a/b/deeper/').putText('z.json', '{}');
    const s = store('a/b/');
    expect(await s.list()).toEqual([{ name: 'x.json', size: 2 }]);
    await s.delete(['x.json']);
    expect(await s.list()).toEqual([]);
    expect(await store('a/bc/').list()).toEqual([{ name: 'y.json', size: 2 }]);
    expect(await store('a/b/deeper/').list()).toEqual([{ name: 'z.json', size: 2 }]);
  });
});
