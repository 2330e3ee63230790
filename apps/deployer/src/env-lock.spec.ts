import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvLock, EnvLockedError, type EnvLockHolder, staleReason } from './env-lock.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-lock-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('EnvLock', () => {
  it('admits one holder and names it to the next', () => {
    const a = EnvLock.acquire(dir, 'dev', { owner: 'DevOps Agent', deploymentId: 'D1' });
    const error = (() => {
      try {
        EnvLock.acquire(dir, 'dev', { owner: 'Other', deploymentId: 'D2' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EnvLockedError);
    expect((error as Error).message).toContain('locked by DevOps Agent (deployment D1');
    a.release();
    EnvLock.acquire(dir, 'dev', { owner: 'Other', deploymentId: 'D2' }).release();
  });

  it('takes over a dead holder and an expired lease, saying why', () => {
    const file = EnvLock.fileFor(dir, 'staging');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const dead = { environment: 'staging', owner: 'Ghost', deploymentId: 'D0', pid: 2 ** 22 + 12345, host: os.hostname(), token: 't', acquiredAt: new Date().toISOString(), leaseExpiresAt: new Date(Date.now() + 60_000).toISOString() };
    fs.writeFileSync(file, JSON.stringify(dead));
    const l = EnvLock.acquire(dir, 'staging', { owner: 'DevOps Agent', deploymentId: 'D3' });
    expect(l.tookOverFrom?.reason).toMatch(/process \d+ .* is gone/);
    l.release();
    fs.writeFileSync(file, JSON.stringify({ ...dead, pid: process.pid, host: 'elsewhere', leaseExpiresAt: new Date(Date.now() - 1000).toISOString() }));
    const m = EnvLock.acquire(dir, 'staging', { owner: 'DevOps Agent', deploymentId: 'D4' });
    expect(m.tookOverFrom?.reason).toMatch(/lease expired/);
    m.renew();
    m.release();
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('EnvLock with a malformed lock file', () => {
  const file = EnvLock.fileFor(dir, 'prod');
  const write = (text: string): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };

  it('names the file and the place of a truncated lock, and takes it over as stale', () => {
    write('{"environment": "prod", "owner');
    const holder = EnvLock.read(dir, 'prod');
    expect(holder?.malformed).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+: not valid JSON`));
    expect(staleReason(holder as EnvLockHolder, new Date())).toContain(`the lock file is malformed (${file}:1:`);
    const lock = EnvLock.acquire(dir, 'prod', { owner: 'DevOps Agent', deploymentId: 'D5' });
    expect(lock.tookOverFrom?.reason).toContain('malformed');
    expect(EnvLock.read(dir, 'prod')?.owner).toBe('DevOps Agent');
    lock.release();
  });

  it('never reads "{}" as a holder: the missing fields are named and the lock is stale', () => {
    write('{}');
    const holder = EnvLock.read(dir, 'prod') as EnvLockHolder;
    expect(holder.malformed).toContain(`${file} is invalid`);
    expect(holder.malformed).toMatch(/owner/);
    expect(holder.malformed).toMatch(/leaseExpiresAt/);
    const reason = staleReason(holder, new Date());
    expect(reason).toBeDefined();
    expect(reason).not.toMatch(/by undefined|until undefined/);
    const lock = EnvLock.acquire(dir, 'prod', { owner: 'DevOps Agent', deploymentId: 'D6' });
    expect(lock.tookOverFrom?.reason).toContain('owner');
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });
});
