/**
 * Group commit across processes: many agents' changes, one durable write.
 *
 * A durable replacement of the KB costs one to two milliseconds here, plus reading, validating and
 * writing the whole file; made once per change under the lock, it caps all writers together at
 * about a hundred real changes a second (bench: 72–122/s for 8 writers). So a writer does not wait
 * for the lock to make its own change: it queues the change (a named operation with JSON input,
 * operations.ts) beside the KB and bids for the lock. Whoever gets the lock, the combiner, makes every
 * queued change in order of arrival on one read of the KB, writes the KB once, and leaves each
 * submitter its outcome. Every change is still judged on its own: one that is refused, or would make
 * the KB invalid, is reported to its submitter and undone, and the others go ahead.
 *
 * The files and the crash recovery are described in queue-files.ts.
 */
import * as fs from 'node:fs';
import { atomicWriteFile } from './atomic-write.js';
import { KbError, inFile } from './errors.js';
import { loadKb, serializeKb, type LoadedKb } from './load.js';
import { Backoff, LockClaimant, lockTimeoutFrom, sleep, type HeldLock } from './lock.js';
import { applyOperation, changedNothing, type OperationInput, type OperationName, type OperationValue } from './operations.js';
import {
  deliverOutcomes,
  enqueueChange,
  newChangeName,
  openQueue,
  closeQueue,
  outcomeReady,
  recoverQueue,
  submitterOf,
  takeChanges,
  waitingSubmitters,
  takeOutcome,
  withdrawChange,
  writeJournal,
  type Journal,
  type Outcome,
  type QueuedChange,
  type TakenChange,
} from './queue-files.js';
import type { KnowledgeBase } from './schema.js';
import { existingKbPath, revisionOf, stampRevision, update, type UpdateOptions, type UpdateResult } from './update.js';
import { parseKbJson } from './json.js';
import { assertKnowledgeBase, problemsError, problemsOf } from './validate.js';

/** Changes made in one write at most: bounds the time one batch holds the lock. */
const MAX_BATCH = 256;
/** How long a combiner goes on combining others' changes before it returns to its own caller. */
const COMBINE_BUDGET_MS = 100;
/** A queued change's submitter looks for its outcome at least this often (ms): cheap, and it sets the pace. */
const OUTCOME_POLL_MAX_MS = 2;
/**
 * Before the next batch, a combiner waits at most this long (ms) for the other processes of the last
 * batch to queue their next change. Agents that write in bursts then share one write instead of
 * one each; a lone writer (no one else in the last batch) never waits.
 */
const GATHER_MAX_MS = 3;
const GATHER_POLL_MS = 0.25;

/**
 * Make a named change to the KB, together with whatever other processes have queued, and wait for
 * its outcome. Same guarantees and errors as `update()`: when it returns, the change is durable.
 */
export async function submitChange<K extends OperationName>(op: K, input: OperationInput<K>, options: UpdateOptions = {}): Promise<UpdateResult<OperationValue<K>>> {
  // A compare-and-swap on the revision must see the file as it is under the lock, alone.
  if (options.expectRevision !== undefined) return updateWith(op, input, options);
  const file = existingKbPath(options);
  const queue = openQueue(file);
  const name = newChangeName();
  enqueueChange(queue, name, { op, input: input as QueuedChange['input'], agent: options.agent ?? null });
  const timeoutMs = lockTimeoutFrom(options);
  const claimant = new LockClaimant(file, options);
  const backoff = new Backoff(OUTCOME_POLL_MAX_MS);
  let deadline = Date.now() + timeoutMs;
  let takenByOther = false;
  try {
    for (;;) {
      const outcome = takeOutcome(queue, name);
      if (outcome) return resultOf<OperationValue<K>>(file, outcome);
      const lock = claimant.tryAcquire();
      if (lock) {
        combineWhileBusy(file, queue, name, lock, options);
        continue;
      }
      if (Date.now() >= deadline) {
        if (takenByOther) throw new KbError('lock_timeout', `${file}: ${claimant.holder()} took this change but gave no outcome in time; check the KB before retrying`, { file });
        if (withdrawChange(queue, name)) {
          throw new KbError('lock_timeout', `${file}: lock not obtained within ${timeoutMs} ms; held by ${claimant.holder()}; nothing was changed`, { file });
        }
        // A combiner has it: the outcome is on its way, or the combiner died and its lease runs out.
        takenByOther = true;
        deadline = Date.now() + 2 * claimant.leaseMs;
      }
      await sleep(backoff.next());
    }
  } finally {
    claimant.dispose();
    closeQueue(queue);
  }
}

function updateWith<K extends OperationName>(op: K, input: OperationInput<K>, options: UpdateOptions): Promise<UpdateResult<OperationValue<K>>> {
  return update((kb, ctx) => {
    const value = applyOperation(kb, op, input, ctx.now());
    if (changedNothing(value)) ctx.noop();
    return value;
  }, options);
}

function resultOf<T>(file: string, outcome: Outcome): UpdateResult<T> {
  if (!outcome.ok) throw new KbError(outcome.code, outcome.message, { file, issues: outcome.issues });
  return { file, value: outcome.value as T, revision: outcome.revision, written: outcome.written };
}

/**
 * Holding the lock, combine batch after batch while changes keep arriving (up to COMBINE_BUDGET_MS,
 * so our own caller is not kept waiting long), then release it. If the lock was taken away
 * (`lock_lost`) the new holder finishes or undoes the batch, so just keep waiting. On any other
 * failure, undo the batch so the others' changes go back in the queue, withdraw our own change and
 * report the failure.
 */
function combineWhileBusy(file: string, queue: string, name: string, lock: HeldLock, options: UpdateOptions): void {
  try {
    recoverQueue(file);
    const until = Date.now() + COMBINE_BUDGET_MS;
    let others = new Set<number>();
    for (;;) {
      gatherFrom(queue, others);
      const taken = combine(file, queue, lock, options);
      if (taken.length === 0 || Date.now() >= until) break;
      others = new Set(taken.map(submitterOf).filter((pid) => pid !== process.pid));
    }
  } catch (error) {
    if (error instanceof KbError && error.code === 'lock_lost') return;
    try {
      recoverQueue(file);
    } catch {
      // the next holder tries again
    }
    if (outcomeReady(queue, name)) return; // the batch committed before the failure: our outcome is there
    withdrawChange(queue, name);
    throw error;
  } finally {
    lock.release();
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Wait (at most GATHER_MAX_MS) until each of `submitters` has a change in the queue. Synchronous: the combiner holds the lock. */
function gatherFrom(queue: string, submitters: ReadonlySet<number>): void {
  if (submitters.size === 0) return;
  const until = performance.now() + GATHER_MAX_MS;
  for (;;) {
    const waiting = waitingSubmitters(queue);
    if ([...submitters].every((pid) => waiting.has(pid)) || performance.now() >= until) return;
    Atomics.wait(pause, 0, 0, GATHER_POLL_MS);
  }
}

/** One batch: take, apply, journal, write the KB once, hand out outcomes. Returns the names it took. */
function combine(file: string, queue: string, lock: HeldLock, options: UpdateOptions): string[] {
  const taken = takeChanges(queue, MAX_BATCH);
  if (taken.length === 0) return [];
  const batch = applyBatch(file, taken, options);
  const journal: Journal = { commit: batch.write ? batch.write.revision : null, outcomes: batch.outcomes };
  writeJournal(queue, journal);
  if (batch.write) {
    atomicWriteFile(file, batch.write.text, { mode: batch.write.mode, beforeCommit: () => lock.assertHeld(file) });
    rememberWritten(file, batch.write);
  }
  deliverOutcomes(queue, journal);
  return taken.map((t) => t.name);
}

interface Batch {
  outcomes: Record<string, Outcome>;
  /** The new KB, when at least one change changed something. */
  write?: { text: string; mode: number; revision: number; kb: KnowledgeBase };
}

/**
 * Apply the taken changes in order to one read of the KB. Fast path: all of them, then one
 * validation. If a change is refused or the result is invalid, start again from the file and judge
 * the changes one by one, undoing and reporting each that fails alone.
 */
function applyBatch(file: string, taken: readonly TakenChange[], options: UpdateOptions): Batch {
  let loaded: LoadedKb;
  try {
    loaded = readForBatch(file, options);
  } catch (error) {
    return { outcomes: Object.fromEntries(taken.map((t) => [t.name, failureOf(file, error)])) };
  }
  const now = (options.now ?? (() => new Date()))().toISOString();
  return applyChanges(loaded, taken, now, false) ?? (applyChanges({ ...loaded, kb: reparse(loaded) }, taken, now, true) as Batch);
}

/** The batch, or undefined when `oneByOne` is false and some change failed. */
function applyChanges(loaded: LoadedKb, taken: readonly TakenChange[], now: string, oneByOne: boolean): Batch | undefined {
  const { file } = loaded;
  const outcomes: Record<string, Outcome> = {};
  const base = revisionOf(loaded.kb);
  let kb = loaded.kb;
  const made: QueuedChange[] = [];
  const values = new Map<string, { value: unknown; written: boolean }>();
  for (const t of taken) {
    if ('problem' in t) {
      outcomes[t.name] = { ok: false, code: 'invalid', message: inFile(file, `queued change ${t.name}: ${t.problem}`), issues: [] };
      continue;
    }
    try {
      const value = applyOperation(kb, t.change.op, t.change.input as never, now);
      if (oneByOne) assertStillValid(file, kb);
      made.push(t.change);
      // Copied now: a later change in the batch may alter the objects it points into.
      values.set(t.name, { value: value === undefined ? null : JSON.parse(JSON.stringify(value)), written: !changedNothing(value) });
    } catch (error) {
      if (!oneByOne) return undefined;
      outcomes[t.name] = failureOf(file, error);
      kb = reparse(loaded); // the failed change may have been half made: replay the others
      for (const change of made) applyOperation(kb, change.op, change.input as never, now);
    }
  }
  if (!oneByOne && problemsOf(kb).length > 0) return undefined;
  const changed = [...values.values()].some((v) => v.written);
  const revision = changed ? base + 1 : base;
  for (const [name, v] of values) outcomes[name] = { ok: true, revision, written: v.written, value: v.value };
  if (!changed) return { outcomes };
  const next = stampRevision(kb, revision, now);
  return { outcomes, write: { text: serializeKb(next), mode: loaded.mode, revision, kb: next } };
}

function assertStillValid(file: string, kb: KnowledgeBase): void {
  const problems = problemsOf(kb);
  if (problems.length > 0) throw problemsError(file, problems, 'change rejected, it would make the KB invalid');
}

function reparse(loaded: LoadedKb): KnowledgeBase {
  return assertKnowledgeBase(parseKbJson(loaded.text, { file: loaded.file }), loaded.file);
}

/**
 * The KB this process wrote last, while the file is still exactly that (same inode, size and
 * modification time): a combiner that goes on combining need not read and validate it again.
 */
let lastWritten: { loaded: LoadedKb; stat: string } | undefined;

function statKey(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

function readForBatch(file: string, options: UpdateOptions): LoadedKb {
  const cached = lastWritten;
  lastWritten = undefined; // the batch changes the object in place: it is only good again once written
  if (cached && cached.loaded.file === file) {
    try {
      if (statKey(file) === cached.stat) return cached.loaded;
    } catch {
      // gone: loadKb says so
    }
  }
  return loadKb(file, options);
}

function rememberWritten(file: string, write: NonNullable<Batch['write']>): void {
  lastWritten = { loaded: { file, kb: write.kb, text: write.text, mode: write.mode }, stat: statKey(file) };
}

function failureOf(file: string, error: unknown): Outcome {
  if (error instanceof KbError) {
    const message = error.file === undefined ? inFile(file, error.message) : error.message;
    return { ok: false, code: error.code, message, issues: [...error.issues] };
  }
  return { ok: false, code: 'invalid', message: inFile(file, `the change failed: ${(error as Error).message ?? String(error)}`), issues: [] };
}
