import { mkdir, rename, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';

/**
 * Writes a whole generated tree or nothing: files go to a sibling temporary directory that replaces
 * `outdir` with one rename, so readers never see half a generation and stale files disappear.
 */
export async function writeFilesAtomically(outdir: string, files: Readonly<Record<string, string>>): Promise<void> {
  const target = resolve(outdir);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(`${target}.tmp-`);
  try {
    for (const [path, content] of Object.entries(files)) {
      if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`refusing to write outside ${outdir}: ${path}`);
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) await rename(target, old);
    await rename(staging, target);
    await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
