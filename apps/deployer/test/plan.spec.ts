/** `plan` on the real catalog with @cios/infra and @cios/monitoring: no cluster, and no provider download here. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/fixture.js';
import { writeProdRelease } from './helpers/prod-release.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-plan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const fixture = path.join(dir, 'prod-release.json');
const release = await writeProdRelease(fixture);

describe('cios-deploy plan --env dev (real catalog)', () => {
  const kb = path.join(dir, 'kb.json');
  fs.writeFileSync(kb, '{"version":"1.0"}\n');
  const common = ['--env', 'dev', '--kb', kb, '--state-dir', path.join(dir, '.cios'), '--set', 'case-service=1.2.3'];

  it('renders everything, states the gates, the rollback target, the worst case and what it skipped', async () => {
    const r = await cli(['plan', ...common]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Plan for dev: release [0-9a-f]{12}/);
    expect(r.stdout).toContain('added     case-service: ghcr.io/cios/case-service:1.2.3');
    // sample-api runs in dev: its image is this commit's, like every CIOS image not set.
    expect(r.stdout).toMatch(/added {5}sample-api: ghcr\.io\/cios\/sample-api:[0-9a-f]{12}\n/);
    expect(r.stdout).toMatch(/failed {2}task: no open DevOps task to deploy dev/);
    expect(r.stdout).toContain('Rollback target: none (a first deploy needs --first-deploy)');
    expect(r.stdout).toMatch(/Worst case from a breach to rollback: \d+s/);
    // Terraform did not plan here, so the approval binds the rendered files only, and the plan says so.
    expect(r.stdout).toMatch(/approval {5}binds the release hash and plan hash of the rendered files only \(.+\): the changes Terraform would make are not bound/);
    expect(r.stdout).toContain('changes    none: Terraform did not plan');
    // The per-check analysis policy of the catalog's dev environment.
    expect(r.stdout).toContain('  burn_rate:    ≤ 14.4 per SLO; no data → wait, fewer than 20 requests → wait');
    expect(r.stdout).toContain('  availability: targets up ≥ 1; no data → fail, no request guard');
    // Offline the kubernetes provider cannot be installed; online there is no kubeconfig context here.
    expect(r.stdout).toMatch(
      /Skipped:\n {2}- (terraform init\/plan skipped: provider registry\.terraform\.io\/hashicorp\/kubernetes not installable: offline|no kubeconfig context "cios-dev": terraform plan skipped|terraform not found)/,
    );
    expect(fs.readFileSync(kb, 'utf8')).toBe('{"version":"1.0"}\n');
  });

  it('is deterministic: the same inputs give the same release id and byte-identical artifacts', async () => {
    const a = JSON.parse((await cli(['plan', ...common, '--render-only', '--json'])).stdout) as { releaseId: string; artifactDir: string; planHash: string; filesHash: string; changesDigest: string | null };
    expect(a.changesDigest).toBeNull();
    expect(a.planHash).toBe(a.filesHash);
    const before = snapshot(a.artifactDir);
    fs.rmSync(a.artifactDir, { recursive: true });
    const b = JSON.parse((await cli(['plan', ...common, '--render-only', '--json'])).stdout) as { releaseId: string; artifactDir: string; planHash: string };
    expect(b.releaseId).toBe(a.releaseId);
    expect(b.planHash).toBe(a.planHash);
    expect(snapshot(b.artifactDir)).toEqual(before);
    expect(Object.keys(before).some((f) => f.startsWith('stacks/'))).toBe(true);
    for (const text of Object.values(before)) expect(text).not.toContain(dir);
  });

  it('staging, whose state lives in the cluster, still plans end to end without its kubeconfig context, and says why Terraform did not run', async () => {
    const r = await cli(['plan', '--env', 'staging', '--kb', kb, '--state-dir', path.join(dir, '.cios'), '--set', 'case-service=1.2.3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Plan for staging: release [0-9a-f]{12}/);
    expect(r.stdout).not.toContain('sample-api');
    expect(r.stdout).toMatch(
      /Skipped:\n {2}- (no kubeconfig context "cios-staging": terraform init\/plan skipped \(the kubernetes state backend keeps the state in the cluster\)|terraform not found)/,
    );
  });

  it('refuses an unknown environment and a bad --set with a clear sentence', async () => {
    const env = await cli(['plan', '--env', 'qa', '--kb', kb, '--state-dir', path.join(dir, '.cios')]);
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('unknown environment "qa" (known: dev, staging, prod)');
    const set = await cli(['plan', '--env', 'dev', '--kb', kb, '--state-dir', path.join(dir, '.cios'), '--set', 'nosuch=1.0']);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain('"nosuch" is not a service in the catalog');
    const usage = await cli(['plan', '--env', 'dev', '--bogus']);
    expect(usage.code).toBe(2);
  });
});

describe('cios-deploy plan: sample-api runs in dev only (real catalog)', () => {
  const kb = path.join(dir, 'kb-sample.json');
  fs.writeFileSync(kb, '{"version":"1.0"}\n');
  const state = ['--kb', kb, '--state-dir', path.join(dir, '.cios-sample'), '--render-only'];
  interface Report {
    artifactDir: string;
    services: { service: string; change: string }[];
  }
  const plan = async (env: string, ...args: string[]): Promise<Report> => {
    const r = await cli(['plan', '--env', env, ...state, '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };

  it('dev: released, deployed by the services stack, watched by the monitoring-config stack', async () => {
    const report = await plan('dev');
    expect(report.services.map((s) => s.service)).toContain('sample-api');
    const files = snapshot(report.artifactDir);
    type Resources = Record<string, Record<string, { metadata?: { name: string; namespace: string }; manifest?: { kind: string; metadata: { name: string; namespace: string } } }>>;
    const resources = (stack: string) => (JSON.parse(files[`stacks/${stack}/cdk.tf.json`] ?? '{}') as { resource?: Resources }).resource ?? {};
    const deployments = Object.values(resources('services')['kubernetes_deployment_v1'] ?? {}).map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`);
    expect(deployments).toContain('dev-core/sample-api');
    const monitoring = resources('monitoring-config');
    const objects = Object.values(monitoring['kubernetes_manifest'] ?? {}).map((m) => `${m.manifest?.kind} ${m.manifest?.metadata.namespace}/${m.manifest?.metadata.name}`);
    expect(objects).toContain('ServiceMonitor dev-core/sample-api');
    expect(Object.values(monitoring['kubernetes_config_map_v1'] ?? {}).map((c) => c.metadata?.name)).toContain('cios-dashboard-sample-api');
    expect(Object.keys(files)).toContain('monitoring/grafana/dashboards/sample-api.json');
  });

  it('staging: neither in the release, the stacks nor the monitoring', async () => {
    const report = await plan('staging');
    expect(report.services.map((s) => s.service)).not.toContain('sample-api');
    const mentions = Object.entries(snapshot(report.artifactDir)).filter(([file, text]) => file.includes('sample-api') || text.includes('sample-api'));
    expect(mentions.map(([file]) => file)).toEqual([]);
  });

  it('staging: --set sample-api=… and a release file naming it are refused, saying where it runs', async () => {
    const set = await cli(['plan', '--env', 'staging', ...state, '--set', 'sample-api=1.0.0']);
    expect(set.code).toBe(1);
    expect(set.stderr).toContain('--set sample-api=1.0.0: sample-api does not run in staging (its environments: dev), so there is nothing of it to release here');
    const file = path.join(dir, 'staging-with-sample-api.json');
    fs.writeFileSync(file, JSON.stringify({ ...release, environment: 'staging', images: { ...release.images, 'sample-api': `ghcr.io/cios/sample-api@sha256:${'3'.repeat(64)}` } }));
    const released = await cli(['plan', '--env', 'staging', '--release', file, ...state]);
    expect(released.code).toBe(1);
    expect(released.stderr).toContain(`${file}: images.sample-api: sample-api does not run in staging (its environments: dev): a release for staging cannot name it`);
  });
});

describe('cios-deploy plan with support images (real catalog)', () => {
  const kb = path.join(dir, 'kb-support.json');
  fs.writeFileSync(kb, '{"version":"1.0"}\n');
  const state = ['--kb', kb, '--state-dir', path.join(dir, '.cios-support'), '--render-only'];

  it('renders prod from a digest-pinned release whose backup-tools entry pins the backup jobs', async () => {
    const r = await cli(['plan', '--env', 'prod', '--release', fixture, ...state, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { artifactDir: string; services: { service: string; support?: boolean; to?: string }[] };
    const pinned = release.images['backup-tools'] as string;
    expect(report.services.find((s) => s.service === 'backup-tools')).toMatchObject({ support: true, to: pinned });
    const stacks = Object.values(snapshot(report.artifactDir)).join('\n');
    expect(stacks).toContain(pinned);
    expect(stacks).not.toContain('"ghcr.io/cios/backup-tools:1.4.0"');
  });

  it('--set backup-tools=… shows it apart from services; upstream images without a version are left unreleased and explained', async () => {
    const r = await cli(['plan', '--env', 'dev', ...state, '--set', `backup-tools=sha256:${'2'.repeat(64)}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Support images (backup jobs; a release entry overrides the catalog's tag):\n  added     backup-tools: ghcr.io/cios/backup-tools@sha256:${'2'.repeat(64)}`);
    expect(r.stdout).toMatch(/Left unreleased:\n {2}- postgres: docker\.io\/library\/postgres is an upstream image/);
    expect(r.stdout).not.toMatch(/docker\.io\/library\/postgres:[0-9a-f]{12}/);
  });

  it('refuses a release with a key that is neither a service nor a support image, naming it', async () => {
    const bad = path.join(dir, 'bad-release.json');
    fs.writeFileSync(bad, JSON.stringify({ ...release, images: { ...release.images, 'mystery-tools': 'ghcr.io/cios/mystery-tools:1.0.0' } }));
    const r = await cli(['plan', '--env', 'prod', '--release', bad, ...state]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: images.mystery-tools: neither a service of the catalog nor one of its support images (support images: backup-tools)`);
  });
});

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(root, full);
    if (rel.startsWith('deployments')) continue;
    out[rel] = fs.readFileSync(full, 'utf8');
  }
  return out;
}
