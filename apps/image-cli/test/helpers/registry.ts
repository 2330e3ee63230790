import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRegistry {
  readonly host: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** CNCF Distribution on a free loopback port, storage in a temp dir; ready when GET /v2/ answers 200. */
export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'cios-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`http://${host}/v2/`);
      if (response.status === 200) return { host, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`the registry did not start on ${host}: ${stderr.trim() || 'no output'}`);
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * Copies repository:tag to other repositories of the same registry with cross-repository blob mounts
 * (POST …/blobs/uploads/?mount=…&from=…) and the same manifest bytes, so the digest is identical and no layer
 * is uploaded again. skopeo copy would re-upload every layer per repository.
 */
export async function copyWithinRegistry(host: string, from: string, tag: string, targets: readonly string[], targetTag = tag): Promise<string> {
  const response = await fetch(`http://${host}/v2/${from}/manifests/${tag}`, { headers: { accept: MANIFEST_TYPES } });
  if (!response.ok) throw new Error(`cannot read ${host}/${from}:${tag}: HTTP ${response.status}`);
  const mediaType = response.headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json';
  const digest = response.headers.get('docker-content-digest') as string;
  const body = Buffer.from(await response.arrayBuffer());
  const manifest = JSON.parse(body.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const blobs = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
  for (const target of targets) {
    for (const blob of blobs) {
      const mount = await fetch(`http://${host}/v2/${target}/blobs/uploads/?mount=${blob}&from=${from}`, { method: 'POST' });
      if (mount.status !== 201) throw new Error(`cannot mount ${blob} into ${target}: HTTP ${mount.status}`);
    }
    const put = await fetch(`http://${host}/v2/${target}/manifests/${targetTag}`, { method: 'PUT', headers: { 'content-type': mediaType }, body });
    if (put.status !== 201) throw new Error(`cannot put the manifest of ${target}:${targetTag}: HTTP ${put.status} ${await put.text()}`);
  }
  return digest;
}
