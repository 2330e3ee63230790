/**
 * Refusals and records: the rules that stop a deploy, with real Terraform. Prometheus runs but
 * scrapes nothing and availability waits on no data, so analysis is inconclusive and never the
 * reason for an outcome (an unreachable Prometheus would fail the bake and roll back).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Environment } from '@cios/platform-spec';
import type { Renderer } from '../src/render.js';
import { Terraform } from '../src/terraform.js';
import { Workspace } from '../src/workspace.js';
import { Fixture, IDLE_CHECKS, type Resource, baseKb, cli, stackJson } from './helpers/fixture.js';
import { TestPrometheus } from './helpers/prometheus.js';

const TIMING = { intervalSeconds: 1, bakeSeconds: 2, failuresAllowed: 1, minRequests: 5, checks: IDLE_CHECKS };
const C1 = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const C2 = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';
const C3 = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
const prometheus = new TestPrometheus();
beforeAll(() => prometheus.start([]));
afterAll(() => prometheus.stop());

let fx: Fixture;
afterEach(() => fx?.cleanup());

function args(env = 'itest', extra: string[] = []): string[] {
  return [...fx.args(env), '--prometheus-url', prometheus.url, ...extra];
}

function prodKb(commits: string[], approvals: unknown[] = []): Record<string, unknown> {
  const kb = baseKb(commits, { approvals });
  (kb['agent_coordination'] as { active_assignments: { task: string }[] }).active_assignments.push({
    id: 'TASK_PROD_1',
    assigned_by: 'Product Manager/CTO Agent',
    assigned_to: 'DevOps Agent',
    task: 'Deploy web to itest-prod',
    status: 'assigned',
  } as never);
  return kb;
}

describe('gates', () => {
  it('refuses prod without an approval, saying who must approve what', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(prodKb([C1]));
    const stacks = fx.stacks({ app: { web: fx.web('v1') } });
    const r = await cli(['apply', ...args('itest-prod', ['--release', fx.release('1.0.0', C1, 'itest-prod'), '--stacks-dir', stacks, '--first-deploy', '--task', 'TASK_PROD_1'])]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: itest-prod needs approval from Product Manager\/CTO Agent for release \w+ \(release hash \w+, plan hash \w+\)/);
    expect(fx.deployed()).toBeUndefined();
    expect(fx.readKb().deployments ?? []).toEqual([]);
    expect(fx.readKb().agent_coordination?.coordination_log?.at(-1)?.event).toBe('deployment_refused');
  });

  it('accepts an approval bound to the release and plan, and voids it for a new commit', async () => {
    fx = new Fixture(TIMING);
    const stacks = fx.stacks({ app: { web: fx.web('v1') } });
    const release1 = fx.release('1.0.0', C1, 'itest-prod');
    fx.writeKb(prodKb([C1, C2]));
    const plan = await cli(['plan', ...args('itest-prod', ['--release', release1, '--stacks-dir', stacks, '--json', '--task', 'TASK_PROD_1'])]);
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout) as PlanJson;
    expect(p.gates.find((g) => g.name === 'approval')?.status).toBe('failed');
    // Terraform planned, so the plan hash binds the rendered files to the planned changes.
    expect(p.changesDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(p.planHash).not.toBe(p.filesHash);
    const approval = approvalFor(p);
    // The requester approving their own release does not count.
    fx.writeKb(prodKb([C1, C2], [{ ...approval, approved_by: 'DevOps Agent' }]));
    const self = await cli(['apply', ...args('itest-prod', ['--release', release1, '--stacks-dir', stacks, '--first-deploy', '--task', 'TASK_PROD_1'])]);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('the requester cannot approve their own release');

    fx.writeKb(prodKb([C1, C2], [approval]));
    const ok = await cli(['apply', ...args('itest-prod', ['--release', release1, '--stacks-dir', stacks, '--first-deploy', '--task', 'TASK_PROD_1'])]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fx.readKb().deployments?.at(-1)).toMatchObject({ status: 'succeeded', approval_id: 'APPROVAL_001', changes_digest: p.changesDigest });
    expect(ok.stderr).toContain('the planned changes match approval APPROVAL_001');

    // Same images, new commit: the approval no longer covers it.
    const release2 = fx.release('1.0.0', C2, 'itest-prod');
    const voided = await cli(['apply', ...args('itest-prod', ['--release', release2, '--stacks-dir', stacks, '--task', 'GH-6'])]);
    expect(voided.code).toBe(1);
    expect(voided.stderr).toContain('approval APPROVAL_001 is void: the release changed (new commit or images)');
  });

  it('voids an approval when a changed input changes what Terraform plans, though the files are the same', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(prodKb([C1]));
    const stacks = fx.stacks({ app: { web: { run: `echo sized > ${fx.marker('web')}`, input: '${var.size}' } } }, { variable: { size: { type: 'string' } } });
    const release = fx.release('1.0.0', C1, 'itest-prod');
    const run = ['--release', release, '--stacks-dir', stacks, '--first-deploy', '--task', 'TASK_PROD_1'];
    process.env['TF_VAR_size'] = 'small';
    try {
      const p = await planJson(['--release', release, '--stacks-dir', stacks, '--task', 'TASK_PROD_1']);
      fx.writeKb(prodKb([C1], [approvalFor(p)]));
      process.env['TF_VAR_size'] = 'large';
      const refused = await cli(['apply', ...args('itest-prod', run)]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`refused: approval APPROVAL_001 is void: the plan changed since it was given. Its plan hash ${p.planHash.slice(0, 12)} is neither the rendered files' (${p.filesHash.slice(0, 12)})`);
      expect(refused.stderr).toContain('the live state or the configuration moved');
      expect(fx.deployed()).toBeUndefined();
      expect(fx.readKb().deployments ?? []).toEqual([]);
      expect(fx.readKb().agent_coordination?.coordination_log?.at(-1)).toMatchObject({ event: 'deployment_refused' });
      expect(fs.existsSync(path.join(fx.stateDir, 'locks', 'itest-prod.lock.json'))).toBe(false);
      // The same input again plans the approved changes: the approval holds.
      process.env['TF_VAR_size'] = 'small';
      const ok = await cli(['apply', ...args('itest-prod', run)]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(fx.deployed()).toBe('sized');
    } finally {
      delete process.env['TF_VAR_size'];
    }
  });

  it('voids an approval when a resource is removed from the state underneath it', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(prodKb([C1, C2]));
    const v1 = fx.stacks({ app: { web: fx.web('v1'), db: { run: 'true', input: 'db' } } });
    const release1 = fx.release('1.0.0', C1, 'itest-prod');
    const p1 = await planJson(['--release', release1, '--stacks-dir', v1, '--task', 'TASK_PROD_1']);
    fx.writeKb(prodKb([C1, C2], [approvalFor(p1)]));
    const first = await cli(['apply', ...args('itest-prod', ['--release', release1, '--stacks-dir', v1, '--first-deploy', '--task', 'TASK_PROD_1'])]);
    expect(first.code, first.stderr).toBe(0);

    const v2 = fx.stacks({ app: { web: fx.web('v2'), db: { run: 'true', input: 'db' } } });
    const release2 = fx.release('1.1.0', C2, 'itest-prod');
    const p2 = await planJson(['--release', release2, '--stacks-dir', v2, '--task', 'GH-7']);
    fx.writeKb({ ...fx.readKb(), approvals: [{ ...approvalFor(p1), status: 'approved' }, { ...approvalFor(p2), id: 'APPROVAL_002' }] });
    // Someone drops terraform_data.db from the state: the approved plan (replace web only) now also creates db.
    const stateFile = path.join(fx.stateDir, 'state', 'itest-prod', 'app', 'terraform.tfstate');
    const original = fs.readFileSync(stateFile, 'utf8');
    const state = JSON.parse(original) as { serial: number; resources: { name: string }[] };
    fs.writeFileSync(stateFile, JSON.stringify({ ...state, serial: state.serial + 1, resources: state.resources.filter((r) => r.name !== 'db') }));
    const refused = await cli(['apply', ...args('itest-prod', ['--release', release2, '--stacks-dir', v2, '--task', 'GH-7'])]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused: approval APPROVAL_002 is void: the plan changed since it was given.');
    expect(fx.deployed()).toBe('v1');
    expect(fx.readKb().deployments?.map((d) => d.status)).toEqual(['succeeded']);
    // With the state as it was when approved, the same approval carries the deploy.
    fs.writeFileSync(stateFile, original);
    const ok = await cli(['apply', ...args('itest-prod', ['--release', release2, '--stacks-dir', v2, '--task', 'GH-7'])]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fx.readKb().deployments?.at(-1)).toMatchObject({ status: 'succeeded', approval_id: 'APPROVAL_002' });
    expect(fx.deployed()).toBe('v2');
  });

  it('refuses when the tests for the commit are red or missing', async () => {
    fx = new Fixture(TIMING);
    const kb = baseKb([]);
    (kb['test_results'] as { recent_runs: unknown[] }).recent_runs.push({ timestamp: '2026-01-01T00:00:00Z', tests_run: 10, passed: 9, failed: 1, commit: C2, source: 'ci' });
    fx.writeKb(kb);
    const stacks = fx.stacks({ app: { web: fx.web('v1') } });
    const red = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C2), '--stacks-dir', stacks, '--first-deploy'])]);
    expect(red.code).toBe(1);
    expect(red.stderr).toContain(`tests for commit ${C2.slice(0, 12)} are red: 1 failed`);
    const missing = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C3), '--stacks-dir', stacks, '--first-deploy'])]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no green test results recorded for commit ${C3.slice(0, 12)}`);
    expect(fx.deployed()).toBeUndefined();
    // A green test report file given on the command line is accepted instead.
    const report = path.join(fx.root, 'report.json');
    fs.writeFileSync(report, JSON.stringify({ numTotalTests: 12, numFailedTests: 0, numFailedTestSuites: 0 }));
    const withReport = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C3), '--stacks-dir', stacks, '--first-deploy', '--test-report', report])]);
    expect(withReport.code, withReport.stderr).toBe(0);
  });

  it('refuses an invalid KB and leaves it byte-for-byte untouched, writing nothing', async () => {
    fx = new Fixture(TIMING);
    const text = `{\n  "version": "1.0",\n  "deployments": [ { "id": "D1", "status": "exploded" } ]\n}\n`;
    fs.writeFileSync(fx.kb, text);
    const stacks = fx.stacks({ app: { web: fx.web('v1') } });
    for (const command of ['plan', 'apply']) {
      const r = await cli([command, ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', stacks, '--first-deploy'])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the knowledge base is invalid, nothing was changed');
      expect(r.stderr).toContain('deployments[0]');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.readFileSync(fx.kb, 'utf8')).toBe(text);
    expect(fs.existsSync(fx.stateDir)).toBe(false);
  });

  it('refuses a second concurrent deploy to the same environment, naming the holder', async () => {
    fx = new Fixture({ ...TIMING, bakeSeconds: 4 });
    fx.writeKb(baseKb([C1, C2]));
    const first = cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])]);
    const lockFile = path.join(fx.stateDir, 'locks', 'itest.lock.json');
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(lockFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = await cli(['apply', ...args('itest', ['--actor', 'Release Agent', '--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } }), '--first-deploy'])]);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/locked by DevOps Agent \(deployment DEPLOY_itest_\w+, pid \d+/);
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(fx.deployed()).toBe('v1');
    const status = await cli(['status', ...args()]);
    expect(status.stdout).toContain('lock       free');
  });

  it('refuses to start when another machine sharing the KB recorded a deploy of the environment while this run prepared', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    // The other machine's deploy, written into the shared KB while this run renders (after its first read).
    const theirs = {
      id: 'DEPLOY_itest_other',
      environment: 'itest',
      release_id: 'rel-other',
      deployed_by: 'Release Agent',
      status: 'in_progress',
      started_at: new Date().toISOString(),
      lock: { owner: 'Release Agent', host: 'ci-runner-9', pid: 4242, acquired_at: new Date().toISOString(), lease_expires_at: new Date(Date.now() + 3_600_000).toISOString() },
    };
    const recordTheirs: Renderer = {
      stacks: () => Promise.reject(new Error('the stacks come from --stacks-dir')),
      monitoring: async () => {
        const kb = fx.readKb();
        fx.writeKb({ ...kb, deployments: [...(kb.deployments ?? []), theirs] });
        return {};
      },
    };
    const r = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])], { renderer: recordTheirs });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('refused: deployment DEPLOY_itest_other of release rel-other started in itest on host ci-runner-9 (Release Agent, pid 4242');
    expect(r.stderr).toContain('nothing was recorded or applied');
    expect(fx.readKb().deployments?.map((d) => d.id)).toEqual(['DEPLOY_itest_other']);
    expect(fx.deployed()).toBeUndefined();
    expect(fs.existsSync(path.join(fx.stateDir, 'locks', 'itest.lock.json'))).toBe(false);
  });

  it('unlock --force --reason removes a held lock and records who and why', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const lockFile = path.join(fx.stateDir, 'locks', 'itest.lock.json');
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    const holder = { environment: 'itest', owner: 'Release Agent', deploymentId: 'DEPLOY_X', pid: 1, host: 'ci-runner-7', token: 't', acquiredAt: new Date().toISOString(), leaseExpiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    fs.writeFileSync(lockFile, JSON.stringify(holder));
    const refused = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('locked by Release Agent (deployment DEPLOY_X, pid 1 on ci-runner-7');
    const noReason = await cli(['unlock', ...args('itest', ['--force'])]);
    expect(noReason.code).toBe(2);
    const unlock = await cli(['unlock', ...args('itest', ['--force', '--reason', 'runner ci-runner-7 was destroyed mid-deploy'])]);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(fs.existsSync(lockFile)).toBe(false);
    const event = fx.readKb().agent_coordination?.coordination_log?.at(-1) as { event: string; details: string; agent: string };
    expect(event).toMatchObject({ event: 'environment_unlock', agent: 'DevOps Agent' });
    expect(event.details).toContain('held by Release Agent');
    expect(event.details).toContain('runner ci-runner-7 was destroyed mid-deploy');
  });

  it('a deploy left in progress on another host is not taken over until a person unlocks it here', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const first = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])]);
    expect(first.code, first.stderr).toBe(0);
    const kb = fx.readKb();
    const done = kb.deployments?.[0];
    expect(done?.['lock']).toMatchObject({ owner: 'DevOps Agent', host: os.hostname(), pid: process.pid });
    const remote = { id: 'DEPLOY_REMOTE_1', environment: 'itest', release_id: done?.release_id, deployed_by: 'Release Agent', status: 'in_progress', started_at: '2026-01-01T00:00:00Z', lock: { owner: 'Release Agent', host: 'ci-runner-7', pid: 4242, acquired_at: '2026-01-01T00:00:00Z', lease_expires_at: '2026-01-01T00:02:00Z' } };
    fx.writeKb({ ...kb, deployments: [...(kb.deployments ?? []), remote] });

    const refused = await cli(['apply', ...args()]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('refused: deployment DEPLOY_REMOTE_1 of release');
    expect(refused.stderr).toContain('is in progress on host ci-runner-7 (Release Agent, pid 4242');
    expect(refused.stderr).toContain('this machine holds no lock for it and cannot tell whether that deployer still runs');
    const status = await cli(['status', ...args()]);
    expect(status.stdout).toContain('kb lock    Release Agent, pid 4242 on ci-runner-7');

    const unlock = await cli(['unlock', ...args('itest', ['--force', '--reason', 'ci-runner-7 was destroyed'])]);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(fx.readKb().deployments?.at(-1)?.['lock_released']).toMatchObject({ by: 'DevOps Agent', reason: 'ci-runner-7 was destroyed' });
    const resumed = await cli(['apply', ...args()]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('found deployment DEPLOY_REMOTE_1');
    const d = fx.readKb().deployments?.at(-1);
    expect(d).toMatchObject({ id: 'DEPLOY_REMOTE_1', status: 'succeeded', lock_released: null });
    expect(d?.['lock']).toMatchObject({ host: os.hostname() });
  });

  it('abort stops a deploy in progress and rolls it back', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    const first = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])]);
    expect(first.code, first.stderr).toBe(0);
    fx.setTiming({ ...TIMING, bakeSeconds: 300 });
    const deploying = cli(['apply', ...args('itest', ['--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } })])]);
    const deadline = Date.now() + 30_000;
    while (fx.deployed() !== 'v2' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const abort = await cli(['abort', ...args('itest', ['--actor', 'Product Manager/CTO Agent', '--reason', 'customer escalation'])]);
    expect(abort.code, abort.stderr).toBe(0);
    expect(abort.stdout).toMatch(/DEPLOY_itest_\w+: aborted/);
    const done = await deploying;
    expect(done.code).toBe(1);
    const d = fx.readKb().deployments?.at(-1);
    expect(d?.status).toBe('aborted');
    expect(d?.notes).toContain('aborted by Product Manager/CTO Agent: customer escalation');
    expect(fx.deployed()).toBe('v1');
  });

  it('history finds the evidence from any directory: evidence_ref is relative to the state dir', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const cwd = process.cwd();
    try {
      // The state dir inside the working directory: a cwd-relative record would only resolve from here.
      process.chdir(fx.root);
      const r = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])]);
      expect(r.code, r.stderr).toBe(0);
      process.chdir(os.tmpdir());
      const h = await cli(['history', ...args('itest', ['--json'])]);
      const entries = JSON.parse(h.stdout) as { evidence: { type: string }[] }[];
      expect(entries[0]?.evidence.some((e) => e.type === 'check')).toBe(true);
    } finally {
      process.chdir(cwd);
    }
    const ref = fx.readKb().deployments?.[0]?.evidence_ref as string;
    expect(ref).toMatch(/^releases\/itest\/\w+\/deployments\/DEPLOY_itest_\w+\.evidence\.jsonl$/);
    // Evidence that is gone (pruned, another machine) is said to be missing, not silently empty.
    fs.rmSync(path.join(fx.stateDir, ref));
    const missing = await cli(['history', ...args('itest')]);
    expect(missing.stdout).toContain(`warning: evidence ${ref} not found under ${fx.stateDir}`);
  });

  it('keeps secrets out of the KB, the output and the artifacts', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const secret = 'hunter2-Very-Secret-Value';
    const token = 'pr0m-t0ken-XYZ-123';
    const stacks = fx.stacks(
      { app: { web: { run: 'echo configured >/dev/null', input: '${var.db_password}' } } },
      { variable: { db_password: { type: 'string', sensitive: true } } },
    );
    process.env['TF_VAR_db_password'] = secret;
    try {
      const r = await cli([
        'apply',
        ...fx.args('itest'),
        '--prometheus-url',
        // Credentials in the URL (Prometheus here checks none): they must be redacted everywhere.
        prometheus.url.replace('http://', `http://deployer:${token}@`),
        '--release',
        fx.release('1.0.0', C1),
        '--stacks-dir',
        stacks,
        '--first-deploy',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const history = await cli(['history', ...args('itest', ['--json'])]);
      for (const text of [r.stdout, r.stderr, history.stdout, fs.readFileSync(fx.kb, 'utf8'), ...filesUnder(path.join(fx.stateDir, 'releases'))]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(token);
      }
    } finally {
      delete process.env['TF_VAR_db_password'];
    }
  });
});

describe('approvals bind the stacks an apply destroys', () => {
  it('plan shows a stack the release no longer has as destroyed, binds it, and leaves its state alone', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    const first = await cli(['apply', ...args('itest', ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') }, worker: { job: marked(fx, 'worker') } }), '--first-deploy'])]);
    expect(first.code, first.stderr).toBe(0);
    // The next release keeps app as it is and drops worker.
    const run = ['--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } })];
    const workerState = path.join(fx.stateDir, 'state', 'itest', 'worker', 'terraform.tfstate');
    const stateBefore = fs.readFileSync(workerState, 'utf8');

    const withWorker = await planJson(run, 'itest');
    expect(withWorker.destroys).toEqual(['worker']);
    expect(planned(withWorker)).toEqual(['app apply -0', 'worker destroy -1']);
    const human = await cli(['plan', ...args('itest', run)]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('  destroys     worker (running in itest, not in this release)');
    expect(human.stdout).toContain('  worker (destroyed: not in this release): 0 to add, 0 to change, 0 to replace, 1 to destroy');
    expect(human.stdout).toContain('destroys of stacks the release no longer has included');
    // Planning the destroy read the live state and changed nothing.
    expect(fs.readFileSync(workerState, 'utf8')).toBe(stateBefore);
    expect(fs.existsSync(fx.marker('worker'))).toBe(true);

    const applied = await cli(['apply', ...args('itest', run)]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(fs.existsSync(fx.marker('worker'))).toBe(false);
    // The same release once worker is gone: the same files and the same app changes, only the destroy is missing.
    const without = await planJson(run, 'itest');
    expect(without.destroys).toEqual([]);
    expect(planned(without)).toEqual(['app apply -0']);
    expect(without.filesHash).toBe(withWorker.filesHash);
    expect(without.terraform.stacks[0]?.changesDigest).toBe(withWorker.terraform.stacks[0]?.changesDigest);
    expect(without.changesDigest).not.toBe(withWorker.changesDigest);
    expect(without.planHash).not.toBe(withWorker.planHash);
  });

  it('voids an approval when only what the apply would destroy changed: its state, or a stack that appeared', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(prodKb([C1, C2]));
    const v1 = fx.stacks({ app: { web: fx.web('v1') }, worker: { job: marked(fx, 'worker') } });
    const release1 = fx.release('1.0.0', C1, 'itest-prod');
    const p1 = await planJson(['--release', release1, '--stacks-dir', v1, '--task', 'TASK_PROD_1']);
    fx.writeKb(prodKb([C1, C2], [approvalFor(p1)]));
    const first = await cli(['apply', ...args('itest-prod', ['--release', release1, '--stacks-dir', v1, '--first-deploy', '--task', 'TASK_PROD_1'])]);
    expect(first.code, first.stderr).toBe(0);

    const run = ['--release', fx.release('1.1.0', C2, 'itest-prod'), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } }), '--task', 'GH-8'];
    const p2 = await planJson(run);
    expect(planned(p2)).toEqual(['app apply -0', 'worker destroy -1']);
    fx.writeKb({ ...fx.readKb(), approvals: [approvalFor(p1), { ...approvalFor(p2), id: 'APPROVAL_002' }] });
    const voided = 'refused: approval APPROVAL_002 is void: the plan changed since it was given.';

    // Someone changes the worker's state: the apply would destroy something else than was approved.
    const workerState = path.join(fx.stateDir, 'state', 'itest-prod', 'worker', 'terraform.tfstate');
    const original = fs.readFileSync(workerState, 'utf8');
    const state = JSON.parse(original) as { serial: number; resources: { instances: { attributes: { id: string } }[] }[] };
    const edited = structuredClone(state);
    edited.serial += 1;
    (edited.resources[0]?.instances[0] as { attributes: { id: string } }).attributes.id = 'replaced-outside-cios';
    fs.writeFileSync(workerState, JSON.stringify(edited));
    const stateMoved = await cli(['apply', ...args('itest-prod', run)]);
    expect(stateMoved.code).toBe(1);
    expect(stateMoved.stderr).toContain(voided);
    fs.writeFileSync(workerState, original);

    // A stack appears in the live workspace: the apply would destroy it too, which nobody approved.
    await applyOutsideDeployer(fx, 'itest-prod', 'cache', { warm: marked(fx, 'cache') });
    const appeared = await cli(['apply', ...args('itest-prod', run)]);
    expect(appeared.code).toBe(1);
    expect(appeared.stderr).toContain(voided);
    expect(fs.existsSync(fx.marker('cache'))).toBe(true);
    expect(fs.existsSync(fx.marker('worker'))).toBe(true);
    expect(fx.deployed()).toBe('v1');
    expect(fx.readKb().deployments?.map((d) => d.status)).toEqual(['succeeded']);
    expect(fx.readKb().agent_coordination?.coordination_log?.at(-1)).toMatchObject({ event: 'deployment_refused' });

    // With the live workspace as it was when approved, the same approval carries the deploy, destroy included.
    fs.rmSync(path.join(fx.stateDir, 'work', 'itest-prod', 'apply', 'cache'), { recursive: true });
    const ok = await cli(['apply', ...args('itest-prod', run)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fx.readKb().deployments?.at(-1)).toMatchObject({ status: 'succeeded', approval_id: 'APPROVAL_002', changes_digest: p2.changesDigest });
    expect(fx.deployed()).toBe('v2');
    expect(fs.existsSync(fx.marker('worker'))).toBe(false);
    expect(fx.stateResources('worker', 'itest-prod')).toEqual([]);
  });

  it('refuses an apply whose only cluster stack is one it would destroy when there is no kubeconfig context, destroying nothing', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    const run = ['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'];
    // A stack the environment runs that talks to the cluster, and that this release no longer has.
    const live = new Workspace(fx.stateDir, { name: 'itest', backend: { type: 'local', path: 'terraform.tfstate' } } as Environment, 'apply');
    live.prepare('cluster', JSON.stringify({ provider: { kubernetes: [{ config_context: 'cios-itest' }] }, resource: {} }));
    const r = await cli(['apply', ...args('itest', run)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused: no kubeconfig context "cios-itest" for itest; apply needs the cluster');
    expect(live.existingStacks()).toContain('cluster');
    expect(fx.deployed()).toBeUndefined();
  });
});

interface PlanJson {
  releaseId: string;
  releaseHash: string;
  planHash: string;
  filesHash: string;
  changesDigest: string | null;
  gates: { name: string; status: string }[];
  destroys: string[];
  terraform: { ran: boolean; stacks: { stack: string; action: string; changesDigest: string; summary: { destroy: number } }[] };
}

async function planJson(extra: string[], env = 'itest-prod'): Promise<PlanJson> {
  const r = await cli(['plan', ...args(env, [...extra, '--json'])]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

/** What Terraform plans per stack: name, apply or destroy, resources it destroys. */
function planned(p: PlanJson): string[] {
  return p.terraform.stacks.map((s) => `${s.stack} ${s.action} -${s.summary.destroy}`);
}

/** A resource whose marker file exists while Terraform has it: a destroy that ran removes it. */
function marked(fx: Fixture, name: string, input = name): Resource {
  return { run: `touch ${fx.marker(name)}`, onDestroy: `rm -f ${fx.marker(name)}`, input };
}

/** A stack applied into the live workspace the way a deploy leaves it (a crashed or concurrent one), bypassing cios-deploy. */
async function applyOutsideDeployer(fx: Fixture, env: string, stack: string, resources: Record<string, Resource>): Promise<void> {
  const ws = new Workspace(fx.stateDir, { name: env, backend: { type: 'local', path: 'terraform.tfstate' } } as Environment, 'apply');
  const dir = ws.prepare(stack, stackJson(resources));
  const tf = new Terraform();
  await tf.init(dir);
  await tf.plan(dir, 'outside.tfplan');
  await tf.apply(dir, 'outside.tfplan');
  fs.rmSync(path.join(dir, 'outside.tfplan'));
}

function approvalFor(p: PlanJson): Record<string, unknown> {
  return {
    id: 'APPROVAL_001',
    environment: 'itest-prod',
    release_id: p.releaseId,
    release_hash: p.releaseHash,
    plan_hash: p.planHash,
    requested_by: 'DevOps Agent',
    requested_at: '2026-01-01T00:00:00Z',
    status: 'approved',
    approved_by: 'Product Manager/CTO Agent',
    approved_at: '2026-01-01T00:05:00Z',
  };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
  }
  expect(out.length).toBeGreaterThan(3);
  return out;
}
