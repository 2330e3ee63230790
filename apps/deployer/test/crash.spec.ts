/**
 * Crash safety with the built CLI in its own process: SIGKILL during a slow apply, then the next
 * run finds the in-progress record and the dead holder's lock, says so, and reconciles.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Fixture, IDLE_CHECKS, baseKb, cli } from './helpers/fixture.js';
import { TestPrometheus } from './helpers/prometheus.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const TIMING = { intervalSeconds: 1, bakeSeconds: 1, failuresAllowed: 0, minRequests: 5, checks: IDLE_CHECKS };

// Reachable and scraping nothing: the bakes here are inconclusive, never the reason for an outcome.
const prometheus = new TestPrometheus();
beforeAll(() => prometheus.start([]));
afterAll(() => prometheus.stop());
const C1 = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const C2 = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

let fx: Fixture;
afterEach(() => fx?.cleanup());

/** Starts the built CLI and SIGKILLs it once its progress shows the slow apply running. */
async function killDuringApply(args: readonly string[], marker: string): Promise<string> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (nx run @cios/deployer:build)`);
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(marker) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(marker), `slow apply never started:\n${stderr}`).toBe(true);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return stderr;
}

/** v1 deployed and healthy, then a deployer applying v2 (a slow apply) killed mid-way. Returns the common CLI args. */
async function deployThenKillMidApply(): Promise<string[]> {
  fx = new Fixture(TIMING);
  fx.writeKb(baseKb([C1, C2]));
  const common = [...fx.args(), '--prometheus-url', prometheus.url];
  const first = await cli(['apply', ...common, '--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy']);
  expect(first.code, first.stderr).toBe(0);
  const started = fx.marker('slow-started');
  const slow = fx.stacks({ app: { web: { run: `touch ${started}; sleep 3; echo v2 > ${fx.marker('web')}`, input: 'v2' } } });
  await killDuringApply(['apply', ...common, '--release', fx.release('1.1.0', C2), '--stacks-dir', slow], started);
  return common;
}

describe('crash safety', () => {
  it('a deployer killed mid-apply leaves a record the next run finds and rolls back', async () => {
    const common = await deployThenKillMidApply();
    const kb = fx.readKb();
    expect(kb.deployments?.at(-1)?.status).toBe('in_progress');
    const status = await cli(['status', ...common]);
    expect(status.stdout).toMatch(/in progress DEPLOY_itest_\w+/);
    expect(status.stdout).toMatch(/stale: its process \d+ on .* is gone/);

    // Any other deploy is held off until the interrupted one is reconciled.
    const next = await cli(['apply', ...common, '--rollback']);
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(/found deployment DEPLOY_itest_\w+ \(release \w+\) still in progress in itest and its deployer gone/);
    const after = fx.readKb();
    const d = after.deployments?.at(-1);
    expect(d?.status).toBe('rolled_back');
    expect(d?.notes).toContain('interrupted deploy rolled back');
    expect(after.agent_coordination?.coordination_log?.some((e) => e.event === 'deployment_reconcile')).toBe(true);
    expect(fx.deployed()).toBe('v1');
    expect(fs.existsSync(path.join(fx.stateDir, 'locks', 'itest.lock.json'))).toBe(false);
  });

  it('abort of a deploy whose deployer died rolls it back and records it aborted, with the reason given', async () => {
    const common = await deployThenKillMidApply();
    const interrupted = fx.readKb().deployments?.at(-1);
    const abort = await cli(['abort', ...common, '--reason', 'canary looked wrong']);
    expect(abort.code, abort.stderr).toBe(0);
    expect(abort.stderr).toContain('aborting it: canary looked wrong');
    const d = fx.readKb().deployments?.at(-1);
    expect(d).toMatchObject({ id: interrupted?.id, status: 'aborted' });
    expect(d?.notes).toMatch(/^aborted by DevOps Agent: canary looked wrong \(its deployer was gone: its process \d+ on .* is gone\); rolled back to \w+/);
    expect(fx.deployed()).toBe('v1');
  });

  it('without --rollback the next run resumes the interrupted deploy to completion', async () => {
    const common = await deployThenKillMidApply();
    const interrupted = fx.readKb().deployments?.at(-1);
    expect(interrupted?.status).toBe('in_progress');

    // Another release or task is refused, not silently replaced by the interrupted one.
    const other = await cli(['apply', ...common, '--release', fx.release('1.2.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v3') } })]);
    expect(other.code, other.stderr).toBe(3);
    expect(other.stderr).toMatch(new RegExp(`refused: deployment ${interrupted?.id} of release ${interrupted?.release_id}(?: \\(task \\w+\\))? was interrupted in itest and must be reconciled first; this run asks for release \\w+\\. Run \`cios-deploy apply --env itest\` with no release or task`));
    const otherTask = await cli(['apply', ...common, '--task', 'TASK_OTHER']);
    expect(otherTask.code).toBe(3);
    expect(otherTask.stderr).toContain('this run asks for task TASK_OTHER');
    expect(fx.readKb().deployments?.at(-1)).toMatchObject({ id: interrupted?.id, status: 'in_progress' });
    expect(fx.deployed()).not.toBe('v3');

    const next = await cli(['apply', ...common]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('resuming it');
    const d = fx.readKb().deployments?.at(-1);
    expect(d).toMatchObject({ id: interrupted?.id, status: 'succeeded', release_id: interrupted?.release_id });
    expect(fx.deployed()).toBe('v2');
  });

  it('a deployer killed during its automatic rollback: the next run finishes that rollback, never the bad release', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    const common = [...fx.args(), '--prometheus-url', prometheus.url];
    const rollbackStarted = fx.marker('rollback-started');
    const v1Applied = fx.marker('v1-applied');
    // v1 is slow only when applied a second time, which is the rollback to it.
    const v1 = fx.stacks({ app: { web: { run: `if [ -f ${v1Applied} ]; then touch ${rollbackStarted}; sleep 3; fi; touch ${v1Applied}; echo v1 > ${fx.marker('web')}`, input: 'v1' } } });
    const first = await cli(['apply', ...common, '--release', fx.release('1.0.0', C1), '--stacks-dir', v1, '--first-deploy']);
    expect(first.code, first.stderr).toBe(0);
    const v1Release = fx.readKb().deployments?.at(-1)?.release_id;
    // v2 fails only on its first apply: a run that resumed v2 instead of finishing the rollback would deploy it.
    const tried = fx.marker('v2-tried');
    const v2 = fx.stacks({ app: { web: { run: `if [ -f ${tried} ]; then echo v2 > ${fx.marker('web')}; else touch ${tried}; echo boom >&2; exit 3; fi`, input: 'v2' } } });
    await killDuringApply(['apply', ...common, '--release', fx.release('1.1.0', C2), '--stacks-dir', v2], rollbackStarted);

    const interrupted = fx.readKb().deployments?.at(-1);
    expect(interrupted?.status).toBe('in_progress');
    expect(interrupted?.['rollback_started']).toMatchObject({ to: v1Release, outcome: 'rolled_back', reason: expect.stringMatching(/^apply failed: stack app/) as unknown });
    const status = await cli(['status', ...common]);
    expect(status.stdout).toContain(`rolling back to ${v1Release}`);
    expect(status.stdout).toContain(`to finish the rollback to ${v1Release}`);

    const next = await cli(['apply', ...common]);
    expect(next.code, next.stderr).toBe(1);
    expect(next.stderr).toMatch(new RegExp(`still in progress in itest and its deployer gone \\(.*\\); finishing its rollback to ${v1Release} \\(apply failed: stack app`));
    const d = fx.readKb().deployments?.at(-1);
    expect(d).toMatchObject({ id: interrupted?.id, status: 'rolled_back', rollback_ref: v1Release });
    expect(d?.notes).toMatch(new RegExp(`^apply failed: stack app.*; rolled back to ${v1Release} \\(rollback started by DevOps Agent at .*, finished by DevOps Agent: its deployer was gone`));
    expect(fx.deployed()).toBe('v1');
    expect(fs.existsSync(path.join(fx.stateDir, 'locks', 'itest.lock.json'))).toBe(false);
    // Nothing is left in progress: the following deploy is an ordinary one.
    expect(fx.readKb().deployments?.filter((x) => x.status === 'in_progress')).toEqual([]);
  });
});
