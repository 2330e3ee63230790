import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { MalformedFileError, readJsonFile, writeFileAtomic } from './fs-atomic.js';

/** The lock file as the deployer writes it; anything else found there is a malformed lock. Extra keys are ignored (a newer deployer may add some). */
const LockFile = z.object({
  environment: z.string().min(1),
  owner: z.string().min(1),
  deploymentId: z.string().min(1),
  pid: z.number().int().positive(),
  host: z.string().min(1),
  token: z.string().min(1),
  acquiredAt: z.iso.datetime(),
  leaseExpiresAt: z.iso.datetime(),
});

/** Who holds an environment, and until when their claim lasts without renewal. */
export interface EnvLockHolder extends Readonly<z.infer<typeof LockFile>> {
  /**
   * Set when the lock file could not be read as a lock (truncated, not JSON, fields missing): what is
   * wrong with it, file named. Such a lock names no live holder, so it is stale and taken over.
   */
  readonly malformed?: string;
}

export class EnvLockedError extends Error {
  constructor(readonly holder: EnvLockHolder) {
    super(
      `environment ${holder.environment} is locked by ${holder.owner} (deployment ${holder.deploymentId}, pid ${holder.pid} on ${holder.host}, since ${holder.acquiredAt}, lease until ${holder.leaseExpiresAt})`,
    );
    this.name = 'EnvLockedError';
  }
}

export interface AcquireOptions {
  readonly owner: string;
  readonly deploymentId: string;
  /** Lease length: a holder that stops renewing loses the lock after it. @default 120_000 ms */
  readonly leaseMs?: number;
  readonly now?: () => Date;
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder no longer counts, or undefined while it does. */
export function staleReason(holder: EnvLockHolder, now: Date, host = os.hostname()): string | undefined {
  if (holder.malformed !== undefined) return `the lock file is malformed (${holder.malformed})`;
  if (Date.parse(holder.leaseExpiresAt) <= now.getTime()) return `its lease expired at ${holder.leaseExpiresAt}`;
  if (holder.host === host && !isPidAlive(holder.pid)) return `its process ${holder.pid} on ${host} is gone`;
  return undefined;
}

/** One deploy per environment: a lock file with owner, pid and a lease, taken with O_EXCL. */
export class EnvLock {
  private constructor(
    readonly file: string,
    private holderState: EnvLockHolder,
    private readonly leaseMs: number,
    private readonly now: () => Date,
    /** Set when this run took over a stale lock: what it replaced and why. */
    readonly tookOverFrom: { holder: EnvLockHolder; reason: string } | undefined,
  ) {}

  get holder(): EnvLockHolder {
    return this.holderState;
  }

  static fileFor(stateDir: string, environment: string): string {
    return path.join(stateDir, 'locks', `${environment}.lock.json`);
  }

  static read(stateDir: string, environment: string): EnvLockHolder | undefined {
    return readLock(EnvLock.fileFor(stateDir, environment), environment);
  }

  static acquire(stateDir: string, environment: string, options: AcquireOptions): EnvLock {
    const file = EnvLock.fileFor(stateDir, environment);
    const leaseMs = options.leaseMs ?? 120_000;
    // Shorter than a second, the lease could lapse before the first renewal: any other run would take it over.
    if (!(leaseMs >= 1000)) throw new RangeError(`lock lease must be at least 1 s, got ${leaseMs} ms`);
    const now = options.now ?? (() => new Date());
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const make = (): EnvLockHolder => {
      const t = now();
      return {
        environment,
        owner: options.owner,
        deploymentId: options.deploymentId,
        pid: process.pid,
        host: os.hostname(),
        token: randomBytes(8).toString('hex'),
        acquiredAt: t.toISOString(),
        leaseExpiresAt: new Date(t.getTime() + leaseMs).toISOString(),
      };
    };
    const mine = make();
    try {
      fs.writeFileSync(file, `${JSON.stringify(mine, null, 2)}\n`, { flag: 'wx' });
      return new EnvLock(file, mine, leaseMs, now, undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readLock(file, environment);
    if (current === undefined) return EnvLock.acquire(stateDir, environment, options);
    const reason = staleReason(current, now());
    if (reason === undefined) throw new EnvLockedError(current);
    // Take over by atomic replace, then read back: if two runs race, exactly one token survives.
    writeFileAtomic(file, `${JSON.stringify(mine, null, 2)}\n`);
    const after = readLock(file, environment);
    if (after?.token !== mine.token) throw new EnvLockedError(after ?? current);
    return new EnvLock(file, mine, leaseMs, now, { holder: current, reason });
  }

  /** Extends the lease; fails loudly if someone else took the lock meanwhile. */
  renew(): void {
    const current = readLock(this.file, this.holderState.environment);
    if (current?.token !== this.holderState.token) {
      throw new Error(`lost the lock on ${this.holderState.environment}: ${current ? `now held by ${current.owner}` : 'lock file removed'}`);
    }
    this.holderState = { ...this.holderState, leaseExpiresAt: new Date(this.now().getTime() + this.leaseMs).toISOString() };
    writeFileAtomic(this.file, `${JSON.stringify(this.holderState, null, 2)}\n`);
  }

  /**
   * Renews the lease every third of its length while a long step (a slow apply) runs, so a live
   * holder on another host never looks dead. Returns the function that stops it.
   */
  heartbeat(onError: (error: Error) => void): () => void {
    const timer = setInterval(() => {
      try {
        this.renew();
      } catch (error) {
        onError(error as Error);
      }
    }, Math.max(1000, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  release(): void {
    const current = readLock(this.file, this.holderState.environment);
    if (current?.token === this.holderState.token) fs.rmSync(this.file, { force: true });
  }

  /** `unlock --force`: removes whatever lock is there and returns it for the record. */
  static forceRemove(stateDir: string, environment: string): EnvLockHolder | undefined {
    const file = EnvLock.fileFor(stateDir, environment);
    const current = readLock(file, environment);
    fs.rmSync(file, { force: true });
    return current;
  }
}

/**
 * The lock file's holder, undefined without a file. A file that is not a valid lock (a crash mid-write
 * on a filesystem without atomic rename, a hand edit) becomes a holder marked `malformed`, named by
 * file and field, so every reader treats it as stale instead of failing or printing "undefined".
 */
function readLock(file: string, environment: string): EnvLockHolder | undefined {
  try {
    return readJsonFile(file, LockFile);
  } catch (error) {
    if (!(error instanceof MalformedFileError)) throw error;
    // One line: it ends up in a gate's details and in status output.
    const malformed = error.message.split('\n').map((l) => l.trim()).join(' ');
    return { environment, owner: '(unknown: malformed lock)', deploymentId: '(unknown)', pid: 0, host: '(unknown)', token: '', acquiredAt: '', leaseExpiresAt: '', malformed };
  }
}
