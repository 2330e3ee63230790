import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StoredObject } from '../retention.js';
import type { ObjectStore } from './object-store.js';

/** A directory as the store: for local use and tests. Writes go through a temporary name and a rename. */
export class FileStore implements ObjectStore {
  constructor(private readonly directory: string) {}

  url(name: string): string {
    return pathToFileURL(join(this.directory, name)).href;
  }

  async putFile(name: string, path: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const partial = join(this.directory, `.${name}.partial`);
    await copyFile(path, partial);
    await rename(partial, join(this.directory, name));
  }

  async putText(name: string, text: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const partial = join(this.directory, `.${name}.partial`);
    await writeFile(partial, text);
    await rename(partial, join(this.directory, name));
  }

  async getFile(name: string, path: string): Promise<void> {
    await copyFile(join(this.directory, name), path);
  }

  async getText(name: string): Promise<string> {
    return readFile(join(this.directory, name), 'utf8');
  }

  async list(): Promise<StoredObject[]> {
    let entries;
    try {
      entries = await readdir(this.directory, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.'));
    return Promise.all(files.map(async (e) => ({ name: e.name, size: (await stat(join(this.directory, e.name))).size })));
  }

  async delete(names: readonly string[]): Promise<void> {
    for (const name of names) await rm(join(this.directory, name), { force: true });
  }
}
