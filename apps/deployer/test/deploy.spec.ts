/**
 * Integration: the real CLI code path, real Terraform (terraform_data + local-exec stacks),
 * a real Prometheus scraping a service whose error ratio the test sets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../src/terraform.js';
import { SampleApiTarget } from './helpers/sample-api-target.js';
import { PROMETHEUS_BIN, TestPrometheus } from './helpers/prometheus.js';
import { Fixture, NAMESPACE, SERVICE, baseKb, cli } from './helpers/fixture.js';

const TERRAFORM = findExecutable('terraform');
const TIMING = { intervalSeconds: 1, bakeSeconds: 3, failuresAllowed: 1, minRequests: 5 };
const C1 = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const C2 = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

if (!TERRAFORM || !PROMETHEUS_BIN) {
  // Fail loudly rather than skip: these are the deployer's required proofs.
  throw new Error(`integration tests need terraform (${TERRAFORM ?? 'missing'}) and prometheus (${PROMETHEUS_BIN ?? 'missing: apt-get install -y --no-install-recommends prometheus'})`);
}

const service = new SampleApiTarget();
const prometheus = new TestPrometheus();
let fx: Fixture;

beforeAll(async () => {
  await service.start();
  service.rps = 40;
  await prometheus.start([{ port: service.port, labels: { service: SERVICE, namespace: NAMESPACE } }]);
  await prometheus.waitFor(`sum(increase(http_requests_total{service="${SERVICE}"}[4s]))`, (v) => v > 10);
});

afterAll(async () => {
  await prometheus.stop();
  await service.stop();
});

afterEach(() => {
  fx?.cleanup();
  service.rps = 40;
  service.errorRatio = 0;
});

function args(extra: string[] = [], env = 'itest'): string[] {
  return [...fx.args(env), '--prometheus-url', prometheus.url, ...extra];
}

/** Release v1 deployed as the first deploy: the rollback target of every later test. */
async function firstDeploy(): Promise<void> {
  // The previous test may have left errors in Prometheus' window: start from a healthy service.
  await prometheus.waitFor(
    `(sum(rate(http_requests_total{service="${SERVICE}",code=~"5.."}[4s])) or vector(0)) / sum(rate(http_requests_total{service="${SERVICE}"}[4s]))`,
    (v) => v < 0.001,
  );
  const r = await cli(['apply', ...args(['--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--first-deploy'])]);
  expect(r.stderr).not.toContain('failed:');
  expect(r.code, r.stderr).toBe(0);
  expect(fx.deployed()).toBe('v1');
}

async function waitForErrorRatio(min: number): Promise<void> {
  await prometheus.waitFor(
    `sum(rate(http_requests_total{service="${SERVICE}",code=~"5.."}[4s])) / sum(rate(http_requests_total{service="${SERVICE}"}[4s]))`,
    (v) => v >= min,
  );
}

describe('cios-deploy apply', () => {
  it('happy path: gates pass, apply, watch, succeeded, logged in the KB', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    const r = await cli(['apply', ...args(['--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } }), '--task', 'TASK_DEPLOY_1'])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('succeeded');
    expect(fx.deployed()).toBe('v2');
    const kb = fx.readKb();
    const d = kb.deployments?.at(-1);
    expect(d?.status).toBe('succeeded');
    expect(d?.analysis?.verdict).toBe('pass');
    expect(d?.gates?.map((g) => `${g.name}:${g.status}`)).toEqual([
      'knowledge_base:passed',
      'task:passed',
      'tests:passed',
      'approval:skipped',
      'rollback_target:passed',
      'environment_lock:passed',
    ]);
    expect(d?.rollback_ref).toBe(kb.deployments?.[0]?.release_id);
    expect(kb.metrics?.last_deployment).toMatchObject({ id: d?.id, status: 'succeeded' });
    expect(kb.infrastructure_changes?.at(-1)?.what).toContain(`deployed release ${d?.release_id}`);
    expect(kb.agent_coordination?.active_assignments?.find((t) => t.id === 'TASK_DEPLOY_1')?.status).toBe('completed');
    // The evidence log holds every check of every round.
    const evidence = fs.readFileSync(path.resolve(fx.stateDir, d?.evidence_ref as string), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; verdict?: string });
    expect(evidence.filter((e) => e.type === 'check').length).toBeGreaterThanOrEqual(3 * 3);
    const history = await cli(['history', ...args(['--json'])]);
    expect(JSON.parse(history.stdout)).toHaveLength(2);
  });

  it('a failed apply is rolled back to the previous release', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    const bad = fx.stacks({ app: { web: { run: 'echo boom >&2; exit 3', input: 'v2-broken' } } });
    const r = await cli(['apply', ...args(['--release', fx.release('1.1.0', C2), '--stacks-dir', bad, '--task', 'TASK_DEPLOY_1'])]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('rolled_back');
    const d = fx.readKb().deployments?.at(-1);
    expect(d?.status).toBe('rolled_back');
    expect(d?.notes).toMatch(/apply failed: stack app/);
    expect(fx.deployed()).toBe('v1');
  });

  it('a failed analysis is rolled back, with each query, value and threshold as evidence', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    service.errorRatio = 0.5;
    await waitForErrorRatio(0.3);
    const r = await cli(['apply', ...args(['--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } })])]);
    expect(r.code).toBe(1);
    const d = fx.readKb().deployments?.at(-1);
    expect(d?.status).toBe('rolled_back');
    expect(d?.notes).toContain('analysis failed');
    expect(fx.deployed()).toBe('v1');
    const failing = d?.evidence ?? [];
    expect(failing.length).toBeGreaterThan(0);
    const errorRatio = failing.find((e) => e.check === `error_ratio:${SERVICE}`);
    expect(errorRatio?.query).toContain('http_requests_total');
    expect(errorRatio?.threshold).toBeCloseTo(0.01);
    expect(errorRatio?.value).toBeGreaterThan(0.01);
    const history = await cli(['history', ...args()]);
    expect(history.stdout).toContain(`error_ratio:${SERVICE}: fail`);
  });

  it('--analysis shadow records a failing verdict without acting on it', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    service.errorRatio = 0.5;
    await waitForErrorRatio(0.3);
    const r = await cli(['apply', ...args(['--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } }), '--analysis', 'shadow'])]);
    expect(r.code, r.stderr).toBe(0);
    const d = fx.readKb().deployments?.at(-1);
    expect(d).toMatchObject({ status: 'succeeded', analysis_mode: 'shadow' });
    expect(d?.analysis?.verdict).toBe('fail');
    expect(d?.notes).toContain('shadow mode');
    expect(fx.deployed()).toBe('v2');
  });

  it('zero traffic gives an inconclusive verdict and no rollback', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    service.rps = 0;
    await prometheus.waitFor(`sum(increase(http_requests_total{service="${SERVICE}"}[4s]))`, (v) => v === 0);
    const r = await cli(['apply', ...args(['--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } })])]);
    expect(r.code, r.stderr).toBe(0);
    const d = fx.readKb().deployments?.at(-1);
    expect(d?.status).toBe('succeeded');
    expect(d?.analysis?.verdict).toBe('inconclusive');
    expect(d?.notes).toContain('inconclusive');
    expect(fx.deployed()).toBe('v2');
  });

  it('Prometheus unreachable during the bake: availability (no data: fail) fails and the deploy is rolled back, saying why', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    const dead = 'http://127.0.0.1:9';
    const r = await cli(['apply', ...fx.args(), '--prometheus-url', dead, '--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } })]);
    expect(r.code, r.stderr).toBe(1);
    const d = fx.readKb().deployments?.at(-1);
    expect(d?.status).toBe('rolled_back');
    expect(d?.notes).toContain(`analysis failed: Prometheus unreachable at ${dead}`);
    expect(d?.notes).toContain(`availability:${SERVICE} query failed, judged as no data (on no data: fail)`);
    expect(d?.evidence?.map((e) => e.check)).toEqual([`availability:${SERVICE}`]);
    expect(fx.deployed()).toBe('v1');
  });

  it('rollback restores the earlier release and removes what only the newer one added', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1, C2]));
    await firstDeploy();
    const v2 = fx.stacks({
      app: { web: fx.web('v2'), extra: { run: `touch ${fx.marker('extra')}`, onDestroy: `rm -f ${fx.marker('extra')}` } },
      worker: { job: { run: `touch ${fx.marker('worker')}`, onDestroy: `rm -f ${fx.marker('worker')}` } },
    });
    const r = await cli(['apply', ...args(['--release', fx.release('1.1.0', C2), '--stacks-dir', v2])]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(fx.marker('extra'))).toBe(true);
    expect(fs.existsSync(fx.marker('worker'))).toBe(true);
    expect(fx.stateResources('app')).toEqual(['terraform_data.extra', 'terraform_data.web']);
    const rb = await cli(['rollback', ...args(['--reason', 'customer-facing regression'])]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(fx.deployed()).toBe('v1');
    // Terraform skips destroy provisioners of resources removed from the config: the state is the proof.
    expect(fx.stateResources('app')).toEqual(['terraform_data.web']);
    expect(fx.stateResources('worker')).toEqual([]);
    // A whole stack the old release lacks is destroyed with its config, so its destroy provisioner ran.
    expect(fs.existsSync(fx.marker('worker'))).toBe(false);
    const kb = fx.readKb();
    expect(kb.deployments?.[1]?.status).toBe('rolled_back');
    expect(kb.deployments?.at(-1)).toMatchObject({ status: 'succeeded', release_id: kb.deployments?.[0]?.release_id, kind: 'rollback' });
  });
});
