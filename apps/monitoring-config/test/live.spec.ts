import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Platform, parseSpec } from '@cios/platform-spec';
import { generateMonitoring } from '@cios/monitoring';

/**
 * Real Prometheus, real rules, real traffic: the generated page alert must fire when the burn passes
 * 14.4× and stay silent at 1×. Windows are shortened through the SLO policy (the same code path the
 * 1 h / 5 m production windows take); the target is apps/sample-api, started from its built bin.
 */
const sampleApiBin = resolve(import.meta.dirname, '../../sample-api/bin/sample-api.js');
const tmp = mkdtempSync(join(tmpdir(), 'cios-monitoring-live-'));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  child.stderr?.resume();
  children.push(child);
  return child;
}

const platform = parseSpec(
  Platform,
  {
    services: [
      {
        name: 'case-service',
        tier: 'core',
        image: 'ghcr.io/cios/case-service',
        port: 8080,
        replicas: { dev: 1 },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
        health: { liveness: '/healthz', readiness: '/readyz' },
        dataClassification: 'internal',
        slos: [{ name: 'availability', sli: 'availability', objective: 99.9 }],
      },
    ],
    environments: [
      {
        name: 'dev',
        kind: 'dev',
        clusters: [{ name: 'dev', context: 'dev', region: 'canadacentral' }],
        requiresApproval: false,
        prometheusUrl: 'http://127.0.0.1:9090',
      },
    ],
  },
  'live test platform',
);

let promUrl = '';
let apiUrl = '';

async function pageAlertState(): Promise<string | undefined> {
  const response = await fetch(`${promUrl}/api/v1/alerts`);
  const body = (await response.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
  return body.data.alerts.find((a) => a.labels['alertname'] === 'SloBurnRatePageFast')?.state;
}

async function setErrorRatio(errorRatio: number): Promise<void> {
  const response = await fetch(`${apiUrl}/admin/behaviour`, { method: 'PUT', body: JSON.stringify({ errorRatio }) });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  if (!existsSync(sampleApiBin)) throw new Error(`${sampleApiBin} is missing: build @cios/sample-api first`);
  const generated = generateMonitoring({
    platform,
    environment: 'dev',
    format: 'files',
    policy: {
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      tiers: [{ name: 'page-fast', factor: 14.4, longWindow: '30s', shortWindow: '5s', severity: 'page', for: '0s' }],
    },
  });
  mkdirSync(join(tmp, 'rules'));
  for (const [path, content] of Object.entries(generated.files)) {
    if (path.startsWith('prometheus/rules/')) writeFileSync(join(tmp, 'rules', path.split('/').at(-1) as string), content);
  }

  const apiPort = await freePort();
  start(process.execPath, [sampleApiBin], {
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    SAMPLE_API_ADMIN: '1',
    SAMPLE_API_SELF_TRAFFIC_RPS: '100',
    SAMPLE_API_ERROR_RATIO: '0.001',
  });
  apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor('sample-api', async () => ((await fetch(`${apiUrl}/readyz`)).ok ? true : undefined), 20_000);

  const promPort = await freePort();
  writeFileSync(
    join(tmp, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${join(tmp, 'rules')}/*.yml"]`,
      'scrape_configs:',
      '  - job_name: case-service',
      `    static_configs: [{ targets: ["127.0.0.1:${apiPort}"], labels: { service: case-service, namespace: dev-core } }]`,
      '',
    ].join('\n'),
  );
  start('prometheus', [
    `--config.file=${join(tmp, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(tmp, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  promUrl = `http://127.0.0.1:${promPort}`;
  await waitFor('prometheus', async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined), 30_000);
}, 90_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  rmSync(tmp, { recursive: true, force: true });
});

describe('live: generated burn-rate alert against a real Prometheus', () => {
  it('stays silent at 1× burn and pages once the burn passes 14.4×', async () => {
    // 1× burn (0.1% errors on a 99.9% SLO) for longer than the long window: never firing.
    const quietUntil = Date.now() + 35_000;
    let evaluated = false;
    while (Date.now() < quietUntil) {
      const ratio = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('slo:sli_error:ratio_rate30s')}`);
      const body = (await ratio.json()) as { data: { result: unknown[] } };
      if (body.data.result.length > 0) evaluated = true;
      expect(await pageAlertState()).toBeUndefined();
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(evaluated).toBe(true);

    // 5% errors: 50× burn, above 14.4× in both windows.
    await setErrorRatio(0.05);
    const state = await waitFor('the page alert to fire', async () => ((await pageAlertState()) === 'firing' ? 'firing' : undefined), 60_000);
    expect(state).toBe('firing');
  }, 150_000);
});
