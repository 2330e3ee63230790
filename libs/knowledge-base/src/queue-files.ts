/**
 * The files of the commit queue (see commit-queue.ts), kept in `<file>.queue/`:
 *
 *   NAME.req    a change waiting to be made; its submitter may withdraw it (unlink) until a combiner takes it
 *   NAME.taken  taken by the combiner holding the lock (one atomic rename: taking and withdrawing cannot both win)
 *   NAME.done   the outcome, left for the submitter, who reads and deletes it
 *   batch.json  the combiner's journal, made durable before the KB is replaced: the revision the KB
 *               reaches when the batch commits (null when it writes nothing) and every outcome
 *
 * NAME is `<ms>-<pid>-<seq>-<random>`, so that a sorted listing is the order of arrival.
 *
 * Recovery, by whoever holds the lock next after a combiner died (`update()` does it too): with a
 * journal, the batch committed iff the KB's revision reached the journal's, and then its outcomes are
 * handed out; otherwise, and for taken changes without a journal, the changes go back in the queue.
 * No change is applied twice, and none is dropped. Outcomes and temporary files nobody came back
 * for within ten minutes (their process died) are removed.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { KbError, inFile, type KbErrorCode } from './errors.js';
import { OPERATION_NAMES } from './operations.js';

export const JOURNAL_FILE = 'batch.json';

export function queueDirFor(file: string): string {
  return `${file}.queue`;
}

export const QueuedChange = z.object({
  op: z.enum(OPERATION_NAMES),
  input: z.record(z.string(), z.unknown()),
  agent: z.string().nullable(),
});
export type QueuedChange = z.infer<typeof QueuedChange>;

const ERROR_CODES = ['invalid', 'refused', 'not_found', 'usage', 'lock_timeout', 'stale_revision', 'lock_lost'] as const satisfies readonly KbErrorCode[];

export const Outcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), revision: z.number().int(), written: z.boolean(), value: z.unknown() }),
  z.object({ ok: z.literal(false), code: z.enum(ERROR_CODES), message: z.string(), issues: z.array(z.string()) }),
]);
export type Outcome = z.infer<typeof Outcome>;

export const Journal = z.object({
  /** The KB's revision once this batch is committed; null when the batch writes nothing. */
  commit: z.number().int().nullable(),
  outcomes: z.record(z.string(), Outcome),
});
export type Journal = z.infer<typeof Journal>;

let sequence = 0;

export function newChangeName(): string {
  return `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(sequence++).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}

/** Outcomes and temporary files nobody came back for in this long were left by processes that died. */
const ABANDONED_MS = 10 * 60_000;

function isAbandoned(target: string): boolean {
  try {
    return Date.now() - fs.statSync(target).mtimeMs > ABANDONED_MS;
  } catch {
    return false;
  }
}

/** Make `text` appear at `target` all at once (no sync: these files only matter to live processes, or are synced by the caller). */
function writeVisible(target: string, text: string, sync = false): void {
  const tmp = `${target}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    if (sync) fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
}

/** Create the queue directory beside the KB. */
export function openQueue(file: string): string {
  const queue = queueDirFor(file);
  try {
    fs.mkdirSync(queue, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new KbError('refused', `${file}: cannot create the commit queue ${queue} (${code}); is the directory writable?`, { file });
  }
  return queue;
}

/** Remove the queue directory if it is empty, so that an idle KB has nothing beside it. */
export function closeQueue(queue: string): void {
  try {
    fs.rmdirSync(queue);
  } catch {
    // in use by another process: the last one out removes it
  }
}

export function enqueueChange(queue: string, name: string, change: QueuedChange): void {
  const target = path.join(queue, `${name}.req`);
  try {
    writeVisible(target, JSON.stringify(change));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(queue, { recursive: true }); // removed by the last one out in the meantime
    writeVisible(target, JSON.stringify(change));
  }
}

/** Withdraw a change nobody has taken yet; false when a combiner already took it. */
export function withdrawChange(queue: string, name: string): boolean {
  try {
    fs.unlinkSync(path.join(queue, `${name}.req`));
    return true;
  } catch {
    return false;
  }
}

export function outcomeReady(queue: string, name: string): boolean {
  return fs.existsSync(path.join(queue, `${name}.done`));
}

/** The outcome left for `name`, removed from the queue; undefined while there is none. */
export function takeOutcome(queue: string, name: string): Outcome | undefined {
  const target = path.join(queue, `${name}.done`);
  if (!fs.existsSync(target)) return undefined; // the common case while waiting: no exception to build
  let text: string;
  try {
    text = fs.readFileSync(target, 'utf8');
  } catch {
    return undefined;
  }
  fs.rmSync(target, { force: true });
  const parsed = Outcome.safeParse(JSON.parse(text));
  if (!parsed.success) throw new KbError('invalid', inFile(target, 'unreadable outcome of a queued change'));
  return parsed.data;
}

export type TakenChange = { name: string; change: QueuedChange } | { name: string; problem: string };

/** The pid of the process that queued the change `name` (see newChangeName). */
export function submitterOf(name: string): number {
  return Number(name.split('-')[1]);
}

/** The pids of the processes with a change waiting in the queue. */
export function waitingSubmitters(queue: string): Set<number> {
  const pids = new Set<number>();
  for (const entry of fs.readdirSync(queue)) if (entry.endsWith('.req')) pids.add(submitterOf(entry));
  return pids;
}

/** Take up to `limit` waiting changes, oldest first. */
export function takeChanges(queue: string, limit: number): TakenChange[] {
  const waiting = fs
    .readdirSync(queue)
    .filter((entry) => entry.endsWith('.req'))
    .sort()
    .slice(0, limit);
  const taken: TakenChange[] = [];
  for (const entry of waiting) {
    const name = entry.slice(0, -'.req'.length);
    const target = path.join(queue, `${name}.taken`);
    try {
      fs.renameSync(path.join(queue, entry), target);
    } catch {
      continue; // withdrawn by its submitter
    }
    try {
      const parsed = QueuedChange.safeParse(JSON.parse(fs.readFileSync(target, 'utf8')));
      taken.push(parsed.success ? { name, change: parsed.data } : { name, problem: `not a queued change (${parsed.error.issues[0]?.message ?? 'bad shape'})` });
    } catch (error) {
      taken.push({ name, problem: `unreadable queued change (${(error as Error).message})` });
    }
  }
  return taken;
}

/** Write the journal durably: from here on, replacing the KB commits the batch. */
export function writeJournal(queue: string, journal: Journal): void {
  writeVisible(path.join(queue, JOURNAL_FILE), JSON.stringify(journal), journal.commit !== null);
}

function deliver(queue: string, name: string, outcome: Outcome): void {
  writeVisible(path.join(queue, `${name}.done`), JSON.stringify(outcome));
  fs.rmSync(path.join(queue, `${name}.taken`), { force: true });
}

/** Hand every outcome to its submitter, then retire the journal. */
export function deliverOutcomes(queue: string, journal: Journal): void {
  for (const [name, outcome] of Object.entries(journal.outcomes)) deliver(queue, name, outcome);
  fs.rmSync(path.join(queue, JOURNAL_FILE), { force: true });
}

function readJournal(queue: string): Journal | undefined {
  try {
    const parsed = Journal.safeParse(JSON.parse(fs.readFileSync(path.join(queue, JOURNAL_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function kbRevision(file: string): number {
  try {
    const kb = JSON.parse(fs.readFileSync(file, 'utf8')) as { revision?: unknown };
    return typeof kb.revision === 'number' ? kb.revision : 0;
  } catch (error) {
    throw new KbError('invalid', inFile(file, `cannot tell whether an interrupted batch of queued changes was committed (${(error as Error).message})`), { file });
  }
}

/**
 * Finish or undo the batch of a combiner that died, and clear what dead submitters left behind.
 * Call it holding the lock of `file`, before reading the KB to change it.
 */
export function recoverQueue(file: string): void {
  const queue = queueDirFor(file);
  let entries: string[];
  try {
    entries = fs.readdirSync(queue);
  } catch {
    return; // no queue yet
  }
  const journal = entries.includes(JOURNAL_FILE) ? readJournal(queue) : undefined;
  const committed = journal !== undefined && (journal.commit === null || kbRevision(file) >= journal.commit);
  for (const entry of entries) {
    const target = path.join(queue, entry);
    if (entry.endsWith('.taken')) {
      const name = entry.slice(0, -'.taken'.length);
      const outcome = committed ? journal?.outcomes[name] : undefined;
      if (outcome) deliver(queue, name, outcome);
      else fs.renameSync(target, path.join(queue, `${name}.req`)); // not made: back in the queue
    } else if ((entry.endsWith('.tmp') || entry.endsWith('.done')) && isAbandoned(target)) {
      fs.rmSync(target, { force: true });
    }
  }
  if (entries.includes(JOURNAL_FILE)) fs.rmSync(path.join(queue, JOURNAL_FILE), { force: true });
}
