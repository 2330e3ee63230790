/**
 * What the CLI prints for refusals, usage errors and status, without Terraform or Prometheus:
 * every case here is decided before anything is applied.
 */
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixture, baseKb, cli } from './helpers/fixture.js';

const TIMING = { intervalSeconds: 1, bakeSeconds: 2, failuresAllowed: 1, minRequests: 5 };
const C1 = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const C2 = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

let fx: Fixture;
afterEach(() => fx?.cleanup());

interface JsonError {
  readonly ok: boolean;
  readonly error: string;
  readonly exitCode: number;
}

describe('cios-deploy --json', () => {
  it('prints a refusal on stdout as {ok:false, error, exitCode}', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const r = await cli(['apply', ...fx.args(), '--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as JsonError;
    expect(out).toMatchObject({ ok: false, exitCode: 1 });
    expect(out.error).toContain('refused: no earlier release in itest that succeeded and stayed healthy');
  });

  it('prints a usage error on stdout too, with exit code 2', async () => {
    fx = new Fixture(TIMING);
    const r = await cli(['status', ...fx.args(), '--json', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 2, error: expect.stringContaining("Unknown option '--no-such-flag'") as unknown });
  });

  it('status --json says null for what is not there instead of leaving keys out', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const r = await cli(['status', ...fx.args(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ lock: null, lockStale: null, inProgress: null, current: null, recent: [] });
  });
});

describe('cios-deploy input errors', () => {
  it('refuses --lease-seconds 0 as a usage error instead of ignoring it', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const r = await cli(['status', ...fx.args(), '--lease-seconds', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lease-seconds must be a whole number of at least 1, got "0"');
  });

  it('names the release file and images.<key> of an image the catalog does not know', async () => {
    fx = new Fixture(TIMING);
    fx.writeKb(baseKb([C1]));
    const release = fx.release('1.0.0', C1);
    const json = JSON.parse(fs.readFileSync(release, 'utf8')) as { images: Record<string, string> };
    fs.writeFileSync(release, JSON.stringify({ ...json, images: { ...json.images, nope: 'ghcr.io/cios/nope:1' } }));
    const r = await cli(['plan', ...fx.args(), '--release', release, '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') } }), '--render-only']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${release}: images.nope: neither a service of the catalog nor one of its support images`);
  });

  it('prints each problem of an invalid KB once', async () => {
    fx = new Fixture(TIMING);
    fs.writeFileSync(fx.kb, `${JSON.stringify({ version: '1.0', deployments: [{ id: 'D1', status: 'exploded' }, { id: 'D2', status: 'imploded' }] }, null, 2)}\n`);
    const r = await cli(['status', ...fx.args()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the knowledge base is invalid, nothing was changed');
    const lines = r.stderr.split('\n').filter((l) => l.includes('deployments[0].status'));
    expect(lines).toHaveLength(1);
  });
});

describe('the stacks an environment runs', () => {
  /** v1 with stacks app + worker recorded as succeeded (its artifact saved), no live workspace; what does planning v2 (app only) destroy? */
  async function destroysWithoutWorkspace(backend: unknown): Promise<string[]> {
    fx = new Fixture(TIMING);
    const platform = JSON.parse(fs.readFileSync(fx.platformFile, 'utf8')) as { environments: { backend: unknown }[] };
    for (const e of platform.environments) e.backend = backend;
    fs.writeFileSync(fx.platformFile, JSON.stringify(platform));
    fx.writeKb(baseKb([C1, C2]));
    const v1 = await cli(['plan', ...fx.args(), '--release', fx.release('1.0.0', C1), '--stacks-dir', fx.stacks({ app: { web: fx.web('v1') }, worker: { job: { run: 'true' } } }), '--render-only', '--json']);
    expect(v1.code, v1.stderr).toBe(0);
    const deployed = { id: 'DEPLOY_itest_1', environment: 'itest', release_id: (JSON.parse(v1.stdout) as { releaseId: string }).releaseId, deployed_by: 'DevOps Agent', status: 'succeeded', started_at: '2026-01-01T00:00:00Z' };
    fx.writeKb(baseKb([C1, C2], { deployments: [deployed] }));
    const v2 = await cli(['plan', ...fx.args(), '--release', fx.release('1.1.0', C2), '--stacks-dir', fx.stacks({ app: { web: fx.web('v2') } }), '--render-only', '--json']);
    expect(v2.code, v2.stderr).toBe(0);
    return (JSON.parse(v2.stdout) as { destroys: string[] }).destroys;
  }

  it('with a remote backend, come from the running release\'s artifact when the live workspace is gone (CI keeps artifacts, not work dirs)', async () => {
    expect(await destroysWithoutWorkspace({ type: 's3', bucket: 'cios-state', key: 'itest', region: 'canadacentral' })).toEqual(['worker']);
  });

  it('with a local backend, come from the live workspace only, as before', async () => {
    expect(await destroysWithoutWorkspace({ type: 'local', path: 'terraform.tfstate' })).toEqual([]);
  });
});
