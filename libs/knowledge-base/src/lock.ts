/**
 * A cross-process lock for one file, built on atomic directory rename.
 *
 * Acquire: write `owner.json` (pid, host, agent, since, token) into a private temporary
 * directory, then `rename()` it to `<file>.lock`. Renaming a directory onto an existing
 * non-empty directory fails, so exactly one process wins, and a lock directory always
 * holds a complete owner record. Waiters retry with an adaptive backoff that starts at 1 ms.
 *
 * Heartbeat: while held, the owner touches `owner.json` (mtime) every `leaseMs / 3`.
 *
 * Stale lock: the owner's pid is dead and the owner is on this host, or the heartbeat is
 * older than `leaseMs`. A waiter takes it over under a small guard directory
 * (`<file>.lock.takeover`): it re-checks the owner token, renames the stale directory
 * away (atomic), checks it moved the directory it judged stale (else puts it back), and
 * deletes it. The holder checks its token is still in place right before committing a
 * write; if not, the write is aborted with a `lock_lost` error.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KbError } from './errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  agent: string | null;
  since: string;
  token: string;
}

export interface LockOptions {
  /** Give up after this long (ms). Default 10 000, or `CIOS_KB_LOCK_TIMEOUT_MS`. */
  timeoutMs?: number | undefined;
  /** A lock whose heartbeat is older than this (ms) is stale. Default 10 000. */
  leaseMs?: number | undefined;
  /** Who holds the lock (recorded in the owner file). */
  agent?: string | undefined;
}

const HOST = os.hostname();
const OWNER_FILE = 'owner.json';
const GUARD_STALE_MS = 5_000;
/** While the lock is held, a waiter checks whether its holder died at most this often (ms). */
const STALE_CHECK_INTERVAL_MS = 10;
/** Waiters retry after ~1 ms, growing to this cap (jittered): short waits keep the lock busy under contention. */
const MAX_BACKOFF_MS = Number(process.env['CIOS_KB_LOCK_MAX_BACKOFF_MS']) || 8;

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLockOwner(lockPath: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(lockPath, OWNER_FILE), 'utf8')) as LockOwner;
    return typeof owner.token === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

function heartbeatAge(lockPath: string): number | undefined {
  try {
    return Date.now() - fs.statSync(path.join(lockPath, OWNER_FILE)).mtimeMs;
  } catch {
    try {
      return Date.now() - fs.statSync(lockPath).mtimeMs;
    } catch {
      return undefined;
    }
  }
}

/** Why a lock is stale, or undefined when it is live (or gone). */
export function staleReason(lockPath: string, owner: LockOwner | undefined, leaseMs: number): string | undefined {
  if (owner && owner.host === HOST && !isPidAlive(owner.pid)) return `owner pid ${owner.pid} on ${owner.host} is not running`;
  const age = heartbeatAge(lockPath);
  if (age !== undefined && age > leaseMs) return `heartbeat is ${Math.round(age)} ms old (lease ${leaseMs} ms)`;
  return undefined;
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'an unknown owner';
  return `pid ${owner.pid} on ${owner.host}${owner.agent ? ` (${owner.agent})` : ''} since ${owner.since}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Opt-in: on a 2-core machine with 8 writers, waking every waiter on each release (thundering herd) measured slower than backoff.
const USE_WATCH = process.env['CIOS_KB_LOCK_WATCH'] === '1';

/**
 * Wait until the lock directory changes (its owner releases it: inotify on Linux) or `ms` pass,
 * whichever comes first. Resolves at once if the lock is already gone.
 */
function waitForRelease(lockPath: string, ms: number): Promise<void> {
  if (!USE_WATCH) return sleep(ms);
  return new Promise<void>((resolve) => {
    let watcher: fs.FSWatcher | undefined;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, ms);
    try {
      watcher = fs.watch(lockPath, { persistent: false }, done);
      watcher.on('error', done);
    } catch {
      done(); // released (or unwatchable): retry now
    }
  });
}

function rmQuiet(target: string): void {
  try {
    fs.rmSync(target, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

/**
 * Remove leftovers of dead processes next to `file`: temporary lock directories and
 * temporary KB files (`<name>.tmp-<pid>-…`). Only entries whose pid is dead on this host.
 */
export function sweepLeftovers(file: string): void {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(`${base}.`)) continue;
    const m = /^\.(?:lock\.(\d+)-[0-9a-f]+\.(?:tmp|stale)|tmp-(\d+)-[0-9a-f]+)$/.exec(entry.slice(base.length));
    if (!m) continue;
    const pid = Number(m[1] ?? m[2]);
    if (isPidAlive(pid)) continue;
    if (m[1] !== undefined) {
      const owner = readLockOwner(path.join(dir, entry));
      if (owner && owner.host !== HOST) continue;
    }
    rmQuiet(path.join(dir, entry));
  }
}

function tryTakeover(lockPath: string, judged: LockOwner | undefined, myToken: string, leaseMs: number): boolean {
  const guard = `${lockPath}.takeover`;
  try {
    fs.mkdirSync(guard);
  } catch {
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > GUARD_STALE_MS) fs.rmdirSync(guard);
    } catch {
      // someone else cleaned it
    }
    return false;
  }
  try {
    const current = readLockOwner(lockPath);
    if (current?.token !== judged?.token || staleReason(lockPath, current, leaseMs) === undefined) return false;
    const grave = `${lockPath}.${myToken}.stale`;
    try {
      fs.renameSync(lockPath, grave);
    } catch {
      return false;
    }
    const moved = readLockOwner(grave);
    if (moved?.token !== judged?.token) {
      // Not the directory we judged stale: give it back (fails only if a new lock exists; its owner will notice).
      try {
        fs.renameSync(grave, lockPath);
      } catch {
        rmQuiet(grave);
      }
      return false;
    }
    rmQuiet(grave);
    return true;
  } finally {
    try {
      fs.rmdirSync(guard);
    } catch {
      // ignore
    }
  }
}

export class HeldLock {
  readonly lockPath: string;
  readonly owner: LockOwner;
  private lostReason: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(lockPath: string, owner: LockOwner, heartbeatMs: number) {
    this.lockPath = lockPath;
    this.owner = owner;
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
  }

  private heartbeat(): void {
    if (this.released || this.lostReason) return;
    const current = readLockOwner(this.lockPath);
    if (current?.token !== this.owner.token) {
      this.lostReason = current ? `taken over by ${describeOwner(current)}` : 'lock directory removed';
      return;
    }
    try {
      const now = new Date();
      fs.utimesSync(path.join(this.lockPath, OWNER_FILE), now, now);
    } catch {
      // next heartbeat or assertHeld() will tell
    }
  }

  /** Throw `lock_lost` unless this process still owns the lock. Call right before committing. */
  assertHeld(file: string): void {
    if (!this.lostReason) {
      const current = readLockOwner(this.lockPath);
      if (current?.token !== this.owner.token) {
        this.lostReason = current ? `taken over by ${describeOwner(current)}` : 'lock directory removed';
      }
    }
    if (this.lostReason) {
      throw new KbError('lock_lost', `${file}: lock lost while writing (${this.lostReason}); nothing was written, retry the command`, { file });
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const current = readLockOwner(this.lockPath);
    if (current?.token !== this.owner.token) return; // not ours any more: leave it alone
    try {
      fs.unlinkSync(path.join(this.lockPath, OWNER_FILE));
      fs.rmdirSync(this.lockPath);
    } catch {
      // ENOTEMPTY: the next owner already renamed its directory in; ENOENT: gone
    }
  }
}

export function lockTimeoutFrom(options: LockOptions): number {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  const env = Number(process.env['CIOS_KB_LOCK_TIMEOUT_MS']);
  return Number.isFinite(env) && env >= 0 ? env : 10_000;
}

/**
 * One process's bid for the lock of `file`: its owner record is written once, then each `tryAcquire()`
 * is a single atomic rename (plus, now and then, a check for a stale holder). `dispose()` when done.
 */
export class LockClaimant {
  readonly file: string;
  readonly lockPath: string;
  readonly leaseMs: number;
  private readonly owner: LockOwner;
  private readonly tmp: string;
  private lastStaleCheck = 0;
  private prepared = false;
  /** When the owner record's mtime (its first heartbeat) was last set. */
  private touchedAt = 0;

  constructor(file: string, options: LockOptions = {}) {
    this.file = file;
    this.lockPath = lockPathFor(file);
    this.leaseMs = options.leaseMs ?? 10_000;
    const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
    this.owner = { pid: process.pid, host: HOST, agent: options.agent ?? null, since: new Date().toISOString(), token };
    this.tmp = `${this.lockPath}.${token}.tmp`;
  }

  /** Write the owner record, once, when the lock is first worth trying (directory operations are not free). */
  private prepare(): void {
    if (this.prepared) return;
    try {
      fs.mkdirSync(this.tmp);
      fs.writeFileSync(path.join(this.tmp, OWNER_FILE), JSON.stringify(this.owner));
      this.prepared = true;
      this.touchedAt = Date.now();
    } catch (error) {
      rmQuiet(this.tmp);
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new KbError('refused', `${this.file}: cannot create a lock next to the file (${code}); is the directory writable?`, { file: this.file });
    }
  }

  /** The lock, or undefined while another live process holds it. */
  tryAcquire(): HeldLock | undefined {
    // While the lock is held, look (cheap, no exception) and only check for a stale holder now and then.
    if (fs.existsSync(this.lockPath)) {
      if (Date.now() - this.lastStaleCheck < STALE_CHECK_INTERVAL_MS) return undefined;
      this.lastStaleCheck = Date.now();
    }
    this.prepare();
    this.keepRecordFresh();
    for (;;) {
      try {
        fs.renameSync(this.tmp, this.lockPath);
        this.prepared = false; // the owner record is the lock now; another try needs a new one
        return new HeldLock(this.lockPath, { ...this.owner, since: new Date().toISOString() }, Math.max(50, Math.floor(this.leaseMs / 3)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM' && code !== 'EACCES') throw error;
      }
      const current = readLockOwner(this.lockPath);
      if (staleReason(this.lockPath, current, this.leaseMs) === undefined || !tryTakeover(this.lockPath, current, this.owner.token, this.leaseMs)) return undefined;
      sweepLeftovers(this.file);
    }
  }

  /**
   * The record's mtime is the heartbeat waiters judge the lock by from the moment it is renamed into
   * place, before the holder's own heartbeat runs: a record prepared long ago (a long wait under load)
   * would arrive already stale and be taken over at once. Keep it as fresh as a heartbeat would.
   */
  private keepRecordFresh(): void {
    if (Date.now() - this.touchedAt < this.leaseMs / 3) return;
    const now = new Date();
    fs.utimesSync(path.join(this.tmp, OWNER_FILE), now, now);
    this.touchedAt = now.getTime();
  }

  /** Who holds the lock now, for messages. */
  holder(): string {
    return describeOwner(readLockOwner(this.lockPath));
  }

  dispose(): void {
    if (!this.prepared) return;
    try {
      fs.unlinkSync(path.join(this.tmp, OWNER_FILE));
      fs.rmdirSync(this.tmp);
    } catch {
      rmQuiet(this.tmp);
    }
  }
}

/** Acquire the lock of `file` (the lock is `<file>.lock`). */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = lockTimeoutFrom(options);
  const claimant = new LockClaimant(file, options);
  const deadline = Date.now() + timeoutMs;
  const backoff = new Backoff();
  try {
    for (;;) {
      const lock = claimant.tryAcquire();
      if (lock) return lock;
      if (Date.now() >= deadline) {
        throw new KbError('lock_timeout', `${file}: lock not obtained within ${timeoutMs} ms; held by ${claimant.holder()}`, { file });
      }
      await (USE_WATCH ? waitForRelease(claimant.lockPath, backoff.next(deadline) * 4) : sleep(backoff.next(deadline)));
    }
  } finally {
    claimant.dispose();
  }
}

/** Jittered backoff from ~1 ms up to `maxMs` (default MAX_BACKOFF_MS): short waits keep a contended lock busy. */
export class Backoff {
  private delay = 1;

  constructor(private readonly maxMs = MAX_BACKOFF_MS) {}

  /** The next wait (ms), never past `deadline`. */
  next(deadline = Infinity): number {
    const wait = Math.min(this.delay * (0.5 + Math.random()), Math.max(0, deadline - Date.now()));
    this.delay = Math.min(this.delay * 1.3, this.maxMs);
    return wait;
  }
}

/** Run `fn` while holding the lock of `file`. */
export async function withLock<T>(file: string, options: LockOptions, fn: (lock: HeldLock) => Promise<T> | T): Promise<T> {
  const lock = await acquireLock(file, options);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
