import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { servicesIn } from '@cios/platform-spec';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/fixtures/prod-release.json');

interface ReleaseFile {
  images: Record<string, string>;
  [field: string]: unknown;
}

/**
 * The bench's digest-pinned prod release, completed with any service prod runs that was added since it was written
 * (the service generator adds services; the fixture must not go stale), written to `file`.
 * Digests are the sha256 of each name: render-only input, never real images.
 */
export async function writeProdRelease(file: string): Promise<ReleaseFile> {
  // The CLI loads the catalog lazily (cli-run.ts), so the project's boundary rule wants tests to do the same.
  const { platform, getEnvironment } = await import('@cios/catalog');
  const release = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as ReleaseFile;
  for (const s of servicesIn(platform, getEnvironment('prod'))) {
    release.images[s.name] ??= `${s.image}@sha256:${createHash('sha256').update(s.name).digest('hex')}`;
  }
  fs.writeFileSync(file, `${JSON.stringify(release, null, 2)}\n`);
  return release;
}
