import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Environment, Service } from '@cios/platform-spec';
import { checksFor } from './analysis.js';
import { runAnalysis } from './analysis-runner.js';
import { EvidenceLog } from './evidence.js';
import { PrometheusClient } from './prometheus.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-analysis-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Port 9 (discard) on loopback: nothing listens, so every query fails with a connection error. */
const DEAD = 'http://127.0.0.1:9';

const service = Service.parse({
  name: 'web',
  tier: 'core',
  image: 'ghcr.io/cios/web',
  port: 8080,
  replicas: { dev: 1 },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  health: { liveness: '/healthz', readiness: '/readyz' },
  dataClassification: 'internal',
  slos: [{ name: 'availability', sli: 'availability', objective: 99 }],
});

function env(checks: unknown = {}): Environment {
  return Environment.parse({
    name: 'dev',
    kind: 'dev',
    clusters: [{ name: 'c', context: 'ctx', region: 'canadacentral' }],
    requiresApproval: false,
    prometheusUrl: DEAD,
    analysis: { intervalSeconds: 1, bakeSeconds: 3, failuresAllowed: 1, minRequests: 5, checks },
  });
}

async function bakeAgainstDeadPrometheus(e: Environment, mode: 'enforce' | 'shadow' = 'enforce') {
  return runAnalysis({
    deploymentId: 'D1',
    checks: checksFor(e, [service]),
    policy: e.analysis,
    source: new PrometheusClient(DEAD, 2000),
    evidence: new EvidenceLog(path.join(tmp, `${Math.random()}.jsonl`)),
    mode,
    sleep: () => Promise.resolve(undefined),
  });
}

describe('runAnalysis with Prometheus unreachable', () => {
  it('fails a check whose no-data policy is fail and rolls back, naming the unreachable Prometheus', async () => {
    const outcome = await bakeAgainstDeadPrometheus(env());
    expect(outcome).toMatchObject({ verdict: 'fail', rollback: true });
    expect(outcome.unreachable).toMatch(/^Prometheus unreachable at http:\/\/127\.0\.0\.1:9: queries failed in all 2 rounds of the bake \(Prometheus at .* unreachable/);
    expect(outcome.failing.map((f) => f.check)).toEqual(['availability:web']);
    expect(outcome.failing[0]?.error).toMatch(/unreachable/);
  });

  it('never ends healthy when every check waits on no data: a bake that reached nothing fails', async () => {
    const outcome = await bakeAgainstDeadPrometheus(env({ availability: { onNoData: 'wait' } }));
    expect(outcome.state).toMatchObject({ rounds: 3, inconclusive: 3 });
    expect(outcome).toMatchObject({ verdict: 'fail', rollback: true });
    expect(outcome.unreachable).toContain('all 3 rounds');
    expect(outcome.failing.length).toBeGreaterThan(0);
  });

  it('records the failing verdict without acting on it in shadow mode', async () => {
    const outcome = await bakeAgainstDeadPrometheus(env({ availability: { onNoData: 'pass' } }), 'shadow');
    expect(outcome).toMatchObject({ verdict: 'fail', rollback: false });
    expect(outcome.unreachable).toContain('Prometheus unreachable at http://127.0.0.1:9');
  });
});
