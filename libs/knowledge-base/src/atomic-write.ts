/**
 * Durable atomic replacement of a file: write a temporary file in the same directory,
 * fdatasync it, keep the previous version as `<file>.bak` (a hard link, no copy), rename the
 * temporary file over the original, fsync the directory. A crash at any instant leaves
 * either the old or the new content at `file`, never a torn one.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits for the new file (default: those of the existing file, else 0o644). */
  mode?: number | undefined;
  /** Keep the replaced version at `<file>.bak`. Default true. */
  backup?: boolean | undefined;
  /** Called after the temporary file is durable and right before the rename (e.g. to check a lock is still held). */
  beforeCommit?: (() => void) | undefined;
}

export function backupPathFor(file: string): string {
  return `${file}.bak`;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms/filesystems cannot fsync directories
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function keepBackup(file: string): void {
  const bak = backupPathFor(file);
  try {
    fs.unlinkSync(bak);
  } catch {
    // none yet
  }
  try {
    fs.linkSync(file, bak);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // first write
    fs.copyFileSync(file, bak); // filesystems without hard links
  }
}

export function atomicWriteFile(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const dir = path.dirname(file);
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = fs.statSync(file).mode & 0o7777;
    } catch {
      mode = 0o644;
    }
  }
  const tmp = path.join(dir, `${path.basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', mode);
  let committed = false;
  try {
    try {
      fs.fchmodSync(fd, mode); // not subject to the umask
      // Writing a string directly is measurably faster than encoding it to a Buffer first.
      let written = typeof data === 'string' ? fs.writeSync(fd, data) : 0;
      const buffer = typeof data === 'string' ? undefined : data;
      const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      if (written < length) {
        const bytes = buffer ?? Buffer.from(data as string, 'utf8');
        while (written < length) written += fs.writeSync(fd, bytes, written, length - written);
      }
      fs.fdatasyncSync(fd); // data + size of a new file; the rename is made durable by the directory fsync
    } finally {
      fs.closeSync(fd);
    }
    options.beforeCommit?.();
    if (options.backup !== false) keepBackup(file);
    fs.renameSync(tmp, file);
    committed = true;
    fsyncDir(dir);
  } finally {
    if (!committed) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}
