import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, parseExposition, sampleValue, sumSamples, type SampleApi } from '../src/index.js';

const started: SampleApi[] = [];
async function start(options: Parameters<typeof createServer>[0] = {}): Promise<SampleApi> {
  const api = await createServer({ host: '127.0.0.1', port: 0, ...options });
  started.push(api);
  return api;
}
afterAll(async () => {
  await Promise.all(started.map((a) => a.close()));
});

async function metricsOf(api: SampleApi) {
  const res = await fetch(`${api.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

describe('probes and metrics', () => {
  let api: SampleApi;
  beforeAll(async () => {
    api = await start({ version: '1.4.0', commit: 'deadbeef', startTimeSeconds: 1_700_000_000 });
  });

  it('answers /healthz and /readyz with 200 while running', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('ready\n');
    expect((await fetch(`${api.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('serves the cases routes', async () => {
    const list = (await (await fetch(`${api.url}/api/cases`)).json()) as { items: { id: string }[]; total: number };
    expect(list.total).toBe(list.items.length);
    const first = list.items[0]?.id as string;
    expect(await (await fetch(`${api.url}/api/cases/${first}`)).json()).toMatchObject({ id: first });
    expect((await fetch(`${api.url}/api/cases/none`)).status).toBe(404);
    expect((await fetch(`${api.url}/api/cases/%E0%A4%A`)).status).toBe(404);
    expect((await fetch(`${api.url}/api/cases`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${api.url}/nowhere`)).status).toBe(404);
  });

  it('counts traffic by code, method and route, and not probes, metrics or admin', async () => {
    const before = await metricsOf(api);
    await fetch(`${api.url}/api/cases`);
    await fetch(`${api.url}/api/cases?page=2`);
    await fetch(`${api.url}/api/cases/case-0003`);
    await fetch(`${api.url}/api/cases/missing`);
    await fetch(`${api.url}/healthz`);
    await fetch(`${api.url}/readyz`);
    await fetch(`${api.url}/admin/behaviour`);
    const after = await metricsOf(api);
    const delta = (labels: Record<string, string>) =>
      (sampleValue(after, 'http_requests_total', labels) ?? 0) - (sampleValue(before, 'http_requests_total', labels) ?? 0);
    expect(delta({ code: '200', method: 'GET', route: '/api/cases' })).toBe(2);
    expect(delta({ code: '200', method: 'GET', route: '/api/cases/:id' })).toBe(1);
    expect(delta({ code: '404', method: 'GET', route: '/api/cases/:id' })).toBe(1);
    expect(sumSamples(after, 'http_requests_total') - sumSamples(before, 'http_requests_total')).toBe(4);
    const routes = new Set(after.samples.filter((s) => s.name === 'http_requests_total').map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/api/cases', '/api/cases/:id', 'unmatched']);
    const count = sampleValue(after, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/cases' });
    expect(count).toBe(sumSamples(after, 'http_requests_total', { method: 'GET', route: '/api/cases' }));
    expect(sampleValue(after, 'http_request_duration_seconds_bucket', { method: 'GET', route: '/api/cases', le: '+Inf' })).toBe(count);
  });

  it('exposes every platform bucket, process start time and build info', async () => {
    const parsed = await metricsOf(api);
    const les = parsed.samples
      .filter((s) => s.name === 'http_request_duration_seconds_bucket' && s.labels.route === '/api/cases' && s.labels.method === 'GET')
      .map((s) => s.labels.le);
    expect(les).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.2', '0.3', '0.5', '1', '2.5', '5', '10', '+Inf']);
    expect(sampleValue(parsed, 'process_start_time_seconds')).toBe(1_700_000_000);
    expect(sampleValue(parsed, 'sample_api_build_info', { version: '1.4.0', commit: 'deadbeef' })).toBe(1);
    expect(parsed.families.get('http_request_duration_seconds')?.type).toBe('histogram');
    expect(parsed.families.get('http_requests_total')?.type).toBe('counter');
  });

  it('renders /metrics identically when nothing happened in between', async () => {
    const a = await (await fetch(`${api.url}/metrics`)).text();
    const b = await (await fetch(`${api.url}/metrics`)).text();
    expect(b).toBe(a);
  });
});

describe('injected behaviour', () => {
  it('fails exactly 50 of 1000 requests at errorRatio 0.05, counted as code 500', async () => {
    const api = await start({ behaviour: { errorRatio: 0.05 } });
    const codes: number[] = [];
    for (let batch = 0; batch < 100; batch++) {
      const responses = await Promise.all(Array.from({ length: 10 }, () => fetch(`${api.url}/api/cases`)));
      for (const r of responses) {
        codes.push(r.status);
        await r.arrayBuffer();
      }
    }
    expect(codes.filter((c) => c === 500)).toHaveLength(50);
    expect(codes.filter((c) => c === 200)).toHaveLength(950);
    const parsed = await metricsOf(api);
    expect(sampleValue(parsed, 'http_requests_total', { code: '500', method: 'GET', route: '/api/cases' })).toBe(50);
    expect(sampleValue(parsed, 'http_requests_total', { code: '200', method: 'GET', route: '/api/cases' })).toBe(950);
    expect(sampleValue(parsed, 'sample_api_injected_error_ratio')).toBe(0.05);
  });

  it('adds latency: no request under the configured delay lands in a lower bucket', async () => {
    const api = await start({ behaviour: { latencyMs: 250 } });
    await Promise.all([1, 2, 3].map(() => fetch(`${api.url}/api/cases`).then((r) => r.arrayBuffer())));
    const parsed = await metricsOf(api);
    const bucket = (le: string) => sampleValue(parsed, 'http_request_duration_seconds_bucket', { method: 'GET', route: '/api/cases', le });
    expect(bucket('0.2')).toBe(0);
    expect(bucket('+Inf')).toBe(3);
    expect(sampleValue(parsed, 'sample_api_injected_latency_seconds')).toBe(0.25);
  });
});

describe('admin endpoint', () => {
  it('is refused with 403 unless enabled', async () => {
    const api = await start();
    const res = await fetch(`${api.url}/admin/behaviour`, { method: 'PUT', body: '{"errorRatio":1}' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('SAMPLE_API_ADMIN=1');
    expect((await fetch(`${api.url}/api/cases`)).status).toBe(200);
  });

  describe('when enabled', () => {
    let api: SampleApi;
    beforeAll(async () => {
      api = await start({ admin: true });
    });
    afterEach(() => {
      api.setBehaviour({ errorRatio: 0, latencyMs: 0 });
    });
    const put = (body: string) => fetch(`${api.url}/admin/behaviour`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

    it('sets the behaviour and restarts the error spread', async () => {
      await fetch(`${api.url}/api/cases`);
      const res = await put('{"errorRatio":0.5,"latencyMs":0}');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ errorRatio: 0.5, latencyMs: 0 });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await fetch(`${api.url}/api/cases`)).status);
      expect(codes).toEqual([200, 500, 200, 500]);
      expect(await (await fetch(`${api.url}/admin/behaviour`)).json()).toEqual({ errorRatio: 0.5, latencyMs: 0 });
    });

    it.each([
      ['{"errorRatio":1.5}', 'errorRatio must be between 0 and 1, got 1.5'],
      ['{"errorRatio":-0.1}', 'errorRatio must be between 0 and 1, got -0.1'],
      ['{"latencyMs":60001}', 'latencyMs must be between 0 and 60000 milliseconds, got 60001'],
      ['{"latencyMs":"50"}', 'latencyMs must be a number of milliseconds between 0 and 60000, got "50"'],
      ['{"errorRatio":0.1,"mode":"chaos"}', 'unknown field(s) mode'],
      ['{}', 'give errorRatio and/or latencyMs'],
      ['not json', 'body is not valid JSON'],
    ])('answers 400 to %s', async (body, message) => {
      const res = await put(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(message);
      expect(api.behaviour()).toEqual({ errorRatio: 0, latencyMs: 0 });
    });

    it('answers 405 to other methods and 404 to other admin paths', async () => {
      expect((await fetch(`${api.url}/admin/behaviour`, { method: 'POST', body: '{}' })).status).toBe(405);
      expect((await fetch(`${api.url}/admin/other`)).status).toBe(404);
    });
  });
});

describe('close', () => {
  it('turns readiness to 503, lets the in-flight request finish, then stops listening', async () => {
    const api = await createServer({ host: '127.0.0.1', port: 0, behaviour: { latencyMs: 800 }, shutdownDelayMs: 400 });
    try {
      const slow = fetch(`${api.url}/api/cases`);
      while (sampleValue(parseExposition(api.metrics()), 'sample_api_requests_in_flight') !== 1) await new Promise((r) => setTimeout(r, 10));
      const closed = api.close();
      expect(api.draining).toBe(true);
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('connection')).toBe('close');
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      const res = await slow;
      expect(res.status).toBe(200);
      await closed;
      await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    } finally {
      await api.close();
    }
  });
});
