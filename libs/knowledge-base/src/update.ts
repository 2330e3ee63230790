/**
 * The single write entry point: lock, re-read, apply, validate, write atomically, release.
 */
import * as fs from 'node:fs';
import { KbError } from './errors.js';
import { acquireLock, type LockOptions } from './lock.js';
import { atomicWriteFile } from './atomic-write.js';
import { loadKb, resolveKbPath, serializeKb, type LocateOptions, type ReadOptions } from './load.js';
import { recoverQueue } from './queue-files.js';
import type { KnowledgeBase } from './schema.js';
import { problemsError, problemsOf } from './validate.js';

export interface UpdateOptions extends LocateOptions, ReadOptions, LockOptions {
  /** Only apply the change if the file's `revision` is still this number (else `stale_revision`). */
  expectRevision?: number | undefined;
  /** Clock for timestamps written by mutations (tests). */
  now?: (() => Date) | undefined;
}

export interface UpdateContext {
  readonly file: string;
  /** Revision of the file as read under the lock. */
  readonly revision: number;
  /** Current time as an ISO-8601 string (UTC). */
  now(): string;
  /** Declare that nothing needs to be written (e.g. an idempotent repeat). */
  noop(): void;
}

export interface UpdateResult<T> {
  file: string;
  value: T;
  /** Revision after the change (unchanged when nothing was written). */
  revision: number;
  written: boolean;
}

/** Resolve the KB file and check it exists (a change never creates one). */
export function existingKbPath(options: LocateOptions): string {
  const file = resolveKbPath(options);
  if (!fs.existsSync(file)) throw new KbError('not_found', `${file}: file not found`, { file });
  return file;
}

export function revisionOf(kb: KnowledgeBase): number {
  return typeof kb.revision === 'number' ? kb.revision : 0;
}

/** Set `revision` and `last_updated`; a KB without `revision` gets it right after `version`/`last_updated`. */
export function stampRevision(kb: KnowledgeBase, revision: number, now: string): KnowledgeBase {
  if ('revision' in kb) {
    kb.revision = revision;
    if ('last_updated' in kb) kb.last_updated = now;
    return kb;
  }
  const out: Record<string, unknown> = {};
  let placed = false;
  const keys = Object.keys(kb);
  const anchor = keys.includes('last_updated') ? 'last_updated' : keys.includes('version') ? 'version' : undefined;
  if (anchor === undefined) {
    out['revision'] = revision;
    placed = true;
  }
  for (const key of keys) {
    out[key] = key === 'last_updated' ? now : (kb as Record<string, unknown>)[key];
    if (key === anchor) {
      out['revision'] = revision;
      placed = true;
    }
  }
  if (!placed) out['revision'] = revision;
  return out as KnowledgeBase;
}

/**
 * Apply `change` to the KB under the lock and write the result atomically.
 * If `change` throws, or the result is invalid, nothing is written.
 */
export async function update<T>(
  change: (kb: KnowledgeBase, ctx: UpdateContext) => T | Promise<T>,
  options: UpdateOptions = {},
): Promise<UpdateResult<T>> {
  const file = existingKbPath(options);
  const clock = options.now ?? (() => new Date());
  const lock = await acquireLock(file, options);
  try {
    recoverQueue(file);
    // Read, parse and validate under the lock: an invalid file is never changed, even by a change
    // that would happen to repair it. (Validation of a valid KB is a fast compiled check; zod runs only on failure.)
    const { kb, mode } = loadKb(file, options);
    const revision = revisionOf(kb);
    if (options.expectRevision !== undefined && options.expectRevision !== revision) {
      throw new KbError('stale_revision', `${file}: revision is ${revision}, not ${options.expectRevision}: the KB changed since you read it; re-read and retry`, {
        file,
      });
    }
    let skip = false;
    const ctx: UpdateContext = {
      file,
      revision,
      now: () => clock().toISOString(),
      noop: () => {
        skip = true;
      },
    };
    const value = await change(kb, ctx);
    if (skip) return { file, value, revision, written: false };
    const next = stampRevision(kb, revision + 1, ctx.now());
    const problems = problemsOf(next);
    if (problems.length > 0) throw problemsError(file, problems, 'change rejected, it would make the KB invalid');
    atomicWriteFile(file, serializeKb(next), { mode, beforeCommit: () => lock.assertHeld(file) });
    return { file, value, revision: revision + 1, written: true };
  } catch (error) {
    // Refusals raised by mutations do not know the file: name it.
    if (error instanceof KbError && error.file === undefined) {
      throw new KbError(error.code, `${file}: ${error.message}`, { file, issues: error.issues, cause: error });
    }
    throw error;
  } finally {
    lock.release();
  }
}
