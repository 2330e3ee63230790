/** Finding and reading the KB file. Reads never take the lock: writes replace the file atomically. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KbError, inFile } from './errors.js';
import { DEFAULT_MAX_BYTES, decodeText, parseKbJson } from './json.js';
import type { KnowledgeBase } from './schema.js';
import { assertKnowledgeBase } from './validate.js';

export const KB_FILE_NAME = '.ai-knowledge-base.json';

export interface LocateOptions {
  /** Explicit path (the CLI's `--file`). */
  file?: string | undefined;
  /** Directory to start the upward search from; default `process.cwd()`. */
  cwd?: string | undefined;
  /** Environment; `CIOS_KB` names the file when `file` is not given. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** Walk up from `start` looking for `.ai-knowledge-base.json`. */
export function findKbFile(start: string = process.cwd()): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, KB_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `file` option, else `CIOS_KB`, else the nearest `.ai-knowledge-base.json` above `cwd`. */
export function resolveKbPath(options: LocateOptions = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? (options.env ?? process.env)['CIOS_KB'];
  const found = explicit !== undefined && explicit !== '' ? path.resolve(cwd, explicit) : findKbFile(cwd);
  if (found === undefined) {
    throw new KbError('not_found', `no ${KB_FILE_NAME} found in ${cwd} or any parent directory; pass --file or set CIOS_KB`);
  }
  return followSymlink(found);
}

/** A symlinked KB is the file it points at: writes replace that file, not the link (and lock next to it). */
function followSymlink(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file; // missing: the load reports it, naming the path as given
  }
}

export interface ReadOptions {
  /** Refuse files larger than this (bytes). Default 20 MiB, or `CIOS_KB_MAX_BYTES`. */
  maxBytes?: number | undefined;
}

export function maxBytesFrom(options: ReadOptions): number {
  if (options.maxBytes !== undefined) return options.maxBytes;
  const env = Number(process.env['CIOS_KB_MAX_BYTES']);
  return Number.isFinite(env) && env > 0 ? env : DEFAULT_MAX_BYTES;
}

export interface LoadedKb {
  file: string;
  kb: KnowledgeBase;
  /** The exact text read. */
  text: string;
  /** File mode (permission bits) of the file read. */
  mode: number;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Read the file's text with a size limit; errors name the file. */
export function readKbText(file: string, options: ReadOptions = {}): { text: string; mode: number } {
  const limit = maxBytesFrom(options);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KbError('not_found', inFile(file, 'file not found'), { file });
    if (code === 'EISDIR') throw new KbError('invalid', inFile(file, 'is a directory, not a KB file'), { file });
    throw new KbError('invalid', inFile(file, `cannot open (${code ?? String(error)})`), { file });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new KbError('invalid', inFile(file, 'not a regular file'), { file });
    if (stat.size > limit) {
      throw new KbError('invalid', inFile(file, `file is ${mib(stat.size)}, larger than the ${mib(limit)} limit (set CIOS_KB_MAX_BYTES to raise it)`), {
        file,
      });
    }
    const buffer = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = fs.readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: decodeText(buffer.subarray(0, read), file), mode: stat.mode & 0o7777 };
  } catch (error) {
    if (error instanceof KbError) throw error;
    throw new KbError('invalid', inFile(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`), { file });
  } finally {
    fs.closeSync(fd);
  }
}

/** Read, parse and validate a KB file. */
export function loadKb(file: string, options: ReadOptions = {}): LoadedKb {
  const { text, mode } = readKbText(file, options);
  if (!/\S/.test(text)) throw new KbError('invalid', inFile(file, 'file is empty'), { file });
  const value = parseKbJson(text, { file });
  return { file, kb: assertKnowledgeBase(value, file), text, mode };
}

/** Locate and load in one step. */
export function load(options: LocateOptions & ReadOptions = {}): LoadedKb {
  return loadKb(resolveKbPath(options), options);
}

/** Serialise a KB the way this library writes it: 2-space JSON and a final newline. */
export function serializeKb(kb: KnowledgeBase): string {
  return `${JSON.stringify(kb, null, 2)}\n`;
}
