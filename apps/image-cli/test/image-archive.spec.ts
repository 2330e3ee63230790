import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveCommand, archiveTransport, formatRecord, parseRecord, pushArchiveCommand, readArchivedImage, type ImageRecord } from '../src/image-archive.js';

const RECORD: ImageRecord = {
  service: 'sample-api',
  image: 'localhost/cios/sample-api:abc',
  tag: 'abc',
  revision: 'a'.repeat(40),
  builder: 'buildah',
  imageId: 'b'.repeat(64),
  manifestDigest: `sha256:${'c'.repeat(64)}`,
  archive: 'image.tar',
  transport: 'oci-archive',
  sbom: 'dist/images/sboms/sample-api.cdx.json',
};

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop() as string, { recursive: true, force: true });
});

describe('image archives', () => {
  it('buildah writes an OCI archive from its storage and says its manifest digest; docker saves its own format', () => {
    expect(archiveCommand('buildah', 'localhost/cios/x:t', '/d/image.tar.tmp', '/d/digest', { CIOS_BUILDAH_ROOT: '/s' })).toEqual({
      command: 'buildah',
      args: ['--storage-driver', 'vfs', '--root', '/s', 'push', '--quiet', '--digestfile', '/d/digest', 'localhost/cios/x:t', 'oci-archive:/d/image.tar.tmp'],
    });
    expect(archiveCommand('docker', 'cios/x:t', '/d/image.tar.tmp', '/d/digest', {})).toEqual({ command: 'docker', args: ['save', '--output', '/d/image.tar.tmp', 'cios/x:t'] });
    expect(archiveTransport('buildah')).toBe('oci-archive');
    expect(archiveTransport('docker')).toBe('docker-archive');
  });

  it('pushes an OCI archive with skopeo, digests preserved; a docker archive is compressed on the way', () => {
    expect(pushArchiveCommand(RECORD, '/d/image.tar', '127.0.0.1:5000/cios/x:t', { insecure: true, digestFile: '/s/x.digest' }).args).toEqual([
      'copy',
      '--quiet',
      '--preserve-digests',
      '--dest-tls-verify=false',
      '--digestfile',
      '/s/x.digest',
      'oci-archive:/d/image.tar',
      'docker://127.0.0.1:5000/cios/x:t',
    ]);
    const docker = pushArchiveCommand({ ...RECORD, builder: 'docker', transport: 'docker-archive' }, '/d/image.tar', 'ghcr.io/o/cios/x:t', {
      insecure: false,
      authFile: '/s/auth.json',
      digestFile: '/s/x.digest',
    });
    expect(docker.command).toBe('skopeo');
    expect(docker.args).toEqual(['copy', '--quiet', '--dest-authfile', '/s/auth.json', '--digestfile', '/s/x.digest', 'docker-archive:/d/image.tar', 'docker://ghcr.io/o/cios/x:t']);
  });

  it('writes the record with its keys in one order whatever the input order, and reads it back', () => {
    const shuffled = Object.fromEntries(Object.entries(RECORD).reverse()) as unknown as ImageRecord;
    expect(formatRecord(shuffled)).toBe(formatRecord(RECORD));
    expect(Object.keys(JSON.parse(formatRecord(shuffled)) as object)).toEqual(Object.keys(RECORD));
    expect(parseRecord(formatRecord(RECORD), 'image.json')).toEqual(RECORD);
    const { manifestDigest: _m, sbom: _s, ...docker } = { ...RECORD, builder: 'docker' as const, transport: 'docker-archive' as const };
    expect(formatRecord(docker)).not.toContain('manifestDigest');
  });

  it('refuses a broken record, naming the file and every bad field', () => {
    expect(() => parseRecord('{', 'dist/images/x/image.json')).toThrow(/^dist\/images\/x\/image\.json is not JSON: /);
    expect(() =>
      parseRecord(JSON.stringify({ ...RECORD, imageId: 'sha256:b', builder: 'podman', archive: '../../etc/passwd', manifestDigest: 'md5:x' }), 'image.json'),
    ).toThrow(
      'image.json: builder must be "buildah" or "docker"; imageId must be 64 hex digits; manifestDigest must be sha256:<64 hex digits>; archive must be a file name next to the record',
    );
    expect(() => parseRecord(JSON.stringify({ ...RECORD, tag: '' }), 'image.json')).toThrow('image.json: tag must be a non-empty string');
  });

  it('finds the archive next to the record, and says which file is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'cios-archive-'));
    dirs.push(root);
    expect(readArchivedImage(root, 'sample-api')).toBeUndefined();
    const dir = join(root, 'dist/images/sample-api');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'image.json'), formatRecord(RECORD));
    expect(() => readArchivedImage(root, 'sample-api')).toThrow(`${dir}/image.json names the archive image.tar, which is not in ${dir}`);
    writeFileSync(join(dir, 'image.tar'), 'archive bytes');
    expect(readArchivedImage(root, 'sample-api')).toEqual({ record: RECORD, file: join(dir, 'image.tar'), recordFile: join(dir, 'image.json') });
    expect(readArchivedImage(root, 'other')).toBeUndefined();
    mkdirSync(join(root, 'dist/images/other'), { recursive: true });
    writeFileSync(join(root, 'dist/images/other/image.json'), formatRecord(RECORD));
    expect(() => readArchivedImage(root, 'other')).toThrow('records the image of sample-api, not other');
  });
});
