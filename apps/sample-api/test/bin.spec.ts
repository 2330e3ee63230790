import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseExposition, SAMPLE_API_BIN, sampleValue, spawnSampleApi, sumSamples, type SampleApiProcess } from '../src/index.js';

// These run the built bin (dist/main.js), as the image does; the test target depends on build.
const run = promisify(execFile);
const running: SampleApiProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL')));
});
async function spawnApp(env: Record<string, string>): Promise<SampleApiProcess> {
  const app = await spawnSampleApi({ env });
  running.push(app);
  return app;
}
async function runBin(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [SAMPLE_API_BIN, ...args], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const metricsOf = async (url: string) => parseExposition(await (await fetch(`${url}/metrics`)).text());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sample-api bin', () => {
  it('logs a JSON "listening" line with the bound port and build info from the environment', async () => {
    const app = await spawnApp({ APP_VERSION: '2.0.1', GIT_COMMIT: 'c0ffee' });
    expect(app.port).toBeGreaterThan(0);
    expect(app.logs[0]).toMatchObject({ level: 'info', msg: 'listening', port: app.port, host: '127.0.0.1' });
    expect(sampleValue(await metricsOf(app.url), 'sample_api_build_info', { version: '2.0.1', commit: 'c0ffee' })).toBe(1);
  });

  it('drains on SIGTERM: readiness 503, in-flight request completes, exit 0', async () => {
    const app = await spawnApp({ SAMPLE_API_LATENCY_MS: '2500', SAMPLE_API_SHUTDOWN_DELAY_MS: '2000' });
    const slow = fetch(`${app.url}/api/cases`);
    while (sampleValue(await metricsOf(app.url), 'sample_api_requests_in_flight') !== 1) await sleep(20);
    app.child.kill('SIGTERM');
    let ready = 200;
    while (ready === 200) {
      ready = (await fetch(`${app.url}/readyz`)).status;
      if (ready === 200) await sleep(20);
    }
    expect(ready).toBe(503);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const res = await slow;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    expect(await app.stop()).toEqual({ code: 0, signal: null });
    expect(app.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['signal received', 'draining', 'stopped']));
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
  });

  it('cuts requests still running after the shutdown timeout and still exits 0', async () => {
    const app = await spawnApp({ SAMPLE_API_LATENCY_MS: '60000', SAMPLE_API_SHUTDOWN_TIMEOUT_MS: '300' });
    const slow = fetch(`${app.url}/api/cases`).then(
      (r) => r.status,
      () => 'cut',
    );
    while (sampleValue(await metricsOf(app.url), 'sample_api_requests_in_flight') !== 1) await sleep(20);
    expect(await app.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await slow).toBe('cut');
    expect(app.logs.some((l) => l.level === 'warn' && String(l.msg).includes('shutdown timeout'))).toBe(true);
  });

  it('sends its own traffic when SAMPLE_API_SELF_TRAFFIC_RPS is set, and stops it when draining', async () => {
    const app = await spawnApp({ SAMPLE_API_SELF_TRAFFIC_RPS: '50', SAMPLE_API_ERROR_RATIO: '0.1', SAMPLE_API_SHUTDOWN_DELAY_MS: '5000' });
    let parsed = await metricsOf(app.url);
    const served = () => sumSamples(parsed, 'http_requests_total', { method: 'GET', route: '/api/cases' });
    for (let i = 0; i < 200 && served() < 20; i++) {
      await sleep(50);
      parsed = await metricsOf(app.url);
    }
    expect(served()).toBeGreaterThanOrEqual(20);
    // Draining stops the generator; once its last requests are answered, every request it started is counted, so
    // the spread is exact: floor(n·0.1) of n failed.
    app.child.kill('SIGTERM');
    while ((await fetch(`${app.url}/readyz`)).status === 200) await sleep(20);
    for (parsed = await metricsOf(app.url); sampleValue(parsed, 'sample_api_requests_in_flight') !== 0; parsed = await metricsOf(app.url)) await sleep(20);
    // A request the generator sent just before it stopped may not have reached the server yet (in flight on the
    // client, not on the server): settle until the count holds still for 250 ms. A generator still running (50/s)
    // never holds still, and the check after the loop fails.
    // (At most 2.5 s in all: the listener closes 5 s after SIGTERM.)
    let n = served();
    for (let i = 0; i < 8; i++) {
      await sleep(250);
      parsed = await metricsOf(app.url);
      if (served() === n) break;
      n = served();
    }
    await sleep(500);
    parsed = await metricsOf(app.url);
    expect(served()).toBe(n);
    expect(sampleValue(parsed, 'http_requests_total', { code: '500', method: 'GET', route: '/api/cases' })).toBe(Math.floor(n / 10));
    expect(sampleValue(parsed, 'http_requests_total', { code: '200', method: 'GET', route: '/api/cases' })).toBe(n - Math.floor(n / 10));
  });

  it('exits 2 with a clear message on a bad environment', async () => {
    const result = await runBin([], { SAMPLE_API_ERROR_RATIO: 'abc', SAMPLE_API_LATENCY_MS: '-5' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'sample-api: invalid environment:\n  SAMPLE_API_ERROR_RATIO="abc": expected a number from 0 to 1\n  SAMPLE_API_LATENCY_MS="-5": expected a number from 0 to 60000\n',
    );
    expect(result.stdout).toBe('');
  });

  it('prints usage with --help and exits 2 on an unknown argument', async () => {
    const help = await runBin(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('SAMPLE_API_ERROR_RATIO');
    const bad = await runBin(['--port=1'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unexpected argument "--port=1"');
  });

  it('exits 1 when the port is taken', async () => {
    const app = await spawnApp({});
    const result = await runBin([], { PORT: String(app.port) });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ level: 'error', msg: 'failed to start' });
  });
});
