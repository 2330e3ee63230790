import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, KbError, lockPathFor, readLockOwner, staleReason, update } from '../src/index.js';
import { assertBuilt, cleanupTemp, runCli, tempKb } from './helpers.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

function fakeLock(file: string, owner: Record<string, unknown>, ageMs = 0): void {
  const lock = lockPathFor(file);
  fs.mkdirSync(lock);
  const ownerFile = path.join(lock, 'owner.json');
  fs.writeFileSync(ownerFile, JSON.stringify({ token: 'fake-token', since: new Date().toISOString(), agent: 'Ghost Agent', ...owner }));
  if (ageMs > 0) {
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(ownerFile, t, t);
  }
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('lock', () => {
  it('records its owner and releases', async () => {
    const { file } = tempKb();
    const lock = await acquireLock(file, { agent: 'QA Agent' });
    expect(readLockOwner(lockPathFor(file))).toMatchObject({ pid: process.pid, host: os.hostname(), agent: 'QA Agent' });
    lock.release();
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
  });

  it('a lock left by a dead process on this host is taken over at once', async () => {
    const { file } = tempKb();
    fakeLock(file, { pid: deadPid(), host: os.hostname() });
    const started = Date.now();
    const r = await update((kb) => void (kb['x'] = 1), { file, timeoutMs: 5000 });
    expect(r.written).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a lock whose heartbeat is older than the lease is taken over', async () => {
    const { file } = tempKb();
    fakeLock(file, { pid: 1, host: 'another-host' }, 60_000);
    const r = await update((kb) => void (kb['x'] = 1), { file, timeoutMs: 5000, leaseMs: 10_000 });
    expect(r.written).toBe(true);
  });

  it('a live lock is not taken over: lock timeout, exit 3, file untouched', () => {
    const { file } = tempKb();
    fakeLock(file, { pid: process.pid, host: os.hostname() });
    const before = fs.readFileSync(file);
    const r = runCli(['claim', 'ASSIGN_004', '--agent', 'QA Agent', '--lock-timeout', '300', '--file', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/lock not obtained within 300 ms; held by pid \d+ on .* \(Ghost Agent\)/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a lock won after a wait longer than the lease is not stale the moment it is taken', async () => {
    const { file } = tempKb();
    const first = await acquireLock(file, { leaseMs: 300 });
    const second = acquireLock(file, { leaseMs: 300, timeoutMs: 5000 }); // prepares its owner record now, then waits
    await new Promise((r) => setTimeout(r, 700));
    first.release();
    const lock = await second;
    expect(staleReason(lockPathFor(file), readLockOwner(lockPathFor(file)), 300)).toBeUndefined();
    lock.release();
  });

  it('the heartbeat keeps a long-held lock alive', async () => {
    const { file } = tempKb();
    const lock = await acquireLock(file, { leaseMs: 300 });
    await new Promise((r) => setTimeout(r, 700));
    const ageMs = Date.now() - fs.statSync(path.join(lockPathFor(file), 'owner.json')).mtimeMs;
    expect(ageMs).toBeLessThan(300);
    lock.release();
  });

  it('a lock lost mid-write aborts that write with a clear error and writes nothing', async () => {
    const { file } = tempKb();
    const before = fs.readFileSync(file);
    const error = await update(
      (kb) => {
        kb['x'] = 1;
        // another process "takes over" while we are working
        fs.rmSync(lockPathFor(file), { recursive: true });
        fakeLock(file, { pid: process.pid, host: os.hostname(), token: 'thief' });
      },
      { file },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KbError);
    expect((error as KbError).code).toBe('lock_lost');
    expect((error as KbError).message).toMatch(/lock lost while writing \(taken over by pid .*Ghost Agent.*\); nothing was written/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(readLockOwner(lockPathFor(file))?.token).toBe('thief'); // the other owner's lock is left alone
  });

  it('--expect-rev: a stale revision exits 3 and writes nothing', () => {
    const { file } = tempKb();
    expect(runCli(['claim', 'ASSIGN_004', '--agent', 'QA Agent', '--expect-rev', '0', '--file', file]).code).toBe(0);
    const before = fs.readFileSync(file);
    const r = runCli(['start', 'ASSIGN_004', '--agent', 'QA Agent', '--expect-rev', '0', '--file', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/revision is 1, not 0/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a killed lock holder is recovered by a CLI writer', async () => {
    const { file } = tempKb();
    const holder = spawn(process.execPath, [
      '-e',
      `import(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'))}).then(async (m) => { await m.acquireLock(${JSON.stringify(file)}); process.stdout.write('HELD\\n'); setInterval(() => {}, 1000); })`,
    ]);
    await new Promise<void>((resolve) => holder.stdout.on('data', (d: Buffer) => d.toString().includes('HELD') && resolve()));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('close', r));
    const r = runCli(['claim', 'ASSIGN_004', '--agent', 'QA Agent', '--lock-timeout', '3000', '--file', file]);
    expect(r.code, r.stderr).toBe(0);
  });
});
