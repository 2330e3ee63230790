import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvLock, EnvLockedError } from './env-lock.js';

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
