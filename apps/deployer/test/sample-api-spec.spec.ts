/**
 * The catalog's sample-api entry against the app it describes: the image's port and user, the probes, the metrics the
 * SLO rules and this deployer's analysis query. The deployer is the one project that imports both (the catalog may not
 * import an app), and it watches this very service in dev, so a spec that drifted from the app fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_DURATION, REQUESTS_TOTAL } from '@cios/monitoring';
import { SAMPLE_API_BIN, parseEnv, parseExposition, spawnSampleApi, type SampleApiProcess } from '@cios/sample-api';
import { must } from './helpers/must.js';

// The CLI loads the catalog lazily (cli-run.ts), so tests import it the same way.
const { getService } = await import('@cios/catalog');
const service = getService('sample-api');
const dockerfile = fs.readFileSync(path.resolve(path.dirname(SAMPLE_API_BIN), '../Dockerfile'), 'utf8');

/** The argument of the last `<instruction>` of the runtime stage (the Dockerfile's last FROM onwards). */
function lastInstruction(instruction: string): string | undefined {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  return [...runtime.matchAll(new RegExp(`^${instruction}\\s+(.+)$`, 'gm'))].at(-1)?.[1]?.trim();
}

describe("the catalog's sample-api is what apps/sample-api runs", () => {
  let app: SampleApiProcess | undefined;
  const get = async (p: string) => fetch(`${must(app, 'the app').url}${p}`);

  beforeAll(async () => {
    // Started the way its pod starts it: the bin with the catalog's settings (only the port is the test's).
    app = await spawnSampleApi({ env: { ...service.config.env } });
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it("listens where the image says, as the image's user", () => {
    expect(lastInstruction('USER')).toBe(String(service.runAsUser));
    expect(lastInstruction('EXPOSE')).toBe(String(service.port));
    expect(lastInstruction('ENV')).toMatch(new RegExp(`(^|\\s)PORT=${service.port}(\\s|$)`));
  });

  it("takes the catalog's settings as they are written", () => {
    expect(parseEnv({ PORT: String(service.port), ...service.config.env })).toMatchObject({ ok: true });
    expect(service.config.secrets).toEqual([]);
  });

  it('answers the probes on their paths', async () => {
    const paths = [service.health.liveness, service.health.readiness, must(service.health.startup, 'the startup probe')];
    for (const p of paths) expect((await get(p)).status, p).toBe(200);
  });

  it('exposes the request metrics its SLOs read, with the latency threshold as a bucket', async () => {
    expect((await get('/api/cases')).status).toBe(200);
    const metrics = await get(service.metricsPath);
    expect(metrics.status).toBe(200);
    const { families } = parseExposition(await metrics.text());
    const requests = must(families.get(REQUESTS_TOTAL), REQUESTS_TOTAL);
    expect(requests.samples.some((s) => s.labels['code'] === '200' && s.labels['route'] === '/api/cases' && s.value >= 1)).toBe(true);
    const buckets = must(families.get(REQUEST_DURATION), REQUEST_DURATION).samples.filter((s) => s.name === `${REQUEST_DURATION}_bucket`);
    for (const slo of service.slos) {
      if (slo.sli !== 'latency') continue;
      const le = String(slo.thresholdMs / 1000);
      expect(buckets.some((s) => s.labels['le'] === le), `${slo.name}: bucket le="${le}"`).toBe(true);
    }
  });
});
