/** The platform renderer's monitoring-config stack on the real catalog: what @cios/monitoring generates, as Terraform. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INLINE_CREDENTIAL_KEYS, MONITORING_CONFIG_STACK } from '@cios/infra';
import { LAYOUT, RECEIVERS, generateMonitoring, runTool } from '@cios/monitoring';
import type { Release } from '@cios/platform-spec';
import { ArtifactStore } from '../src/artifacts.js';
import { monitoringConfigInput, platformRenderer } from '../src/render-platform.js';
import { must } from './helpers/must.js';
import { writeProdRelease } from './helpers/prod-release.js';

/** The parts of a stack's Terraform JSON this file reads. */
interface StackJson {
  provider: unknown;
  variable: unknown;
  terraform: { backend: Record<string, unknown> };
}
interface Metadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}
/** An object as prometheus-operator takes it: what generateMonitoring produces, and a `kubernetes_manifest` applies. */
interface OperatorObject {
  kind: string;
  metadata: Metadata;
}
/** The monitoring-config stack: the generated objects, dashboards in ConfigMaps, the Alertmanager config in a Secret. */
interface MonitoringStackJson extends StackJson {
  resource: {
    kubernetes_manifest: Record<string, { manifest: OperatorObject }>;
    kubernetes_config_map_v1: Record<string, { metadata: Metadata; data: Record<string, string> }>;
    kubernetes_secret_v1: Record<string, { metadata: Metadata; data: Record<string, string> }>;
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-monitoring-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// The CLI loads the catalog lazily (cli-run.ts), so the project's boundary rule wants tests to do the same.
const { platform } = await import('@cios/catalog');
const envNamed = (name: string) => must(platform.environments.find((e) => e.name === name), `environment ${name}`);
const releases: Record<string, Release> = {
  dev: { environment: 'dev', commit: 'abcdef1', createdBy: 'QA Agent', createdAt: '2026-01-01T00:00:00Z', images: {} },
  prod: { ...((await writeProdRelease(path.join(dir, 'prod-release.json'))) as unknown as Release), environment: 'prod' },
};

/** What Terraform makes of the stack's literals: `$${` and `%%{` back to `${` and `%{`. */
const unescape = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
const countBy = (items: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const item of [...items].sort()) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
};

const STANDBY_MONITORING_STACK = `${MONITORING_CONFIG_STACK}-prod-montreal`;

describe.each([
  ['dev', ['platform', 'services', MONITORING_CONFIG_STACK]],
  ['prod', ['platform', 'services', 'standby-prod-montreal', MONITORING_CONFIG_STACK, STANDBY_MONITORING_STACK]],
])('platformRenderer in %s', (name, order) => {
  const env = envNamed(name);
  const input = { platform, env, release: must(releases[name], `the ${name} release`) };
  const rendered = platformRenderer.stacks(input);
  const generated = generateMonitoring({ platform, environment: name, format: 'operator' });
  const stackOf = async () => JSON.parse(must((await rendered).stacks[MONITORING_CONFIG_STACK], `stack ${MONITORING_CONFIG_STACK}`)) as MonitoringStackJson;

  it('returns the monitoring-config stack after the others, on the primary cluster with their provider and backend', async () => {
    const { stacks } = await rendered;
    expect(Object.keys(stacks)).toEqual(order);
    const stack = await stackOf();
    const platformStack = JSON.parse(must(stacks['platform'], 'stack platform')) as StackJson;
    expect(stack['provider']).toEqual(platformStack['provider']);
    expect(stack['variable']).toEqual(platformStack['variable']);
    expect(Object.keys(stack['terraform']['backend'])).toEqual(Object.keys(platformStack['terraform']['backend']));
    expect(JSON.stringify(stack['terraform']['backend'])).toContain(MONITORING_CONFIG_STACK);
  });

  it('holds exactly the objects generateMonitoring produces, counted by kind', async () => {
    const stack = await stackOf();
    const manifests = Object.values(stack['resource']['kubernetes_manifest']).map((r) => r['manifest']);
    const files = Object.keys(generated.files);
    const fileCount = (prefix: string) => files.filter((f) => f.startsWith(prefix)).length;
    const expected = { PrometheusRule: fileCount('operator/prometheusrules/'), ServiceMonitor: fileCount('operator/servicemonitors/') };
    expect(expected.PrometheusRule).toBeGreaterThan(0);
    expect(countBy(manifests.map((m) => m['kind']))).toEqual(expected);
    expect(countBy(generated.objects.map((o) => (o as OperatorObject)['kind']))).toEqual(expected);
    // A PrometheusRule per rule file, in the monitoring namespace.
    const rules = manifests.filter((m) => m['kind'] === 'PrometheusRule');
    expect(rules.map((m) => m['metadata']['name']).sort()).toEqual(generated.rules.map((f) => `cios-${f.name}`).sort());
    for (const r of rules) expect(r['metadata']['namespace']).toBe(`${name}-monitoring`);

    const dashboards = files.filter((f) => f.startsWith('grafana/dashboards/'));
    const maps = Object.values(stack['resource']['kubernetes_config_map_v1']);
    expect(maps).toHaveLength(dashboards.length);
    for (const m of maps) {
      expect(m['metadata']).toMatchObject({ namespace: `${name}-monitoring`, labels: { grafana_dashboard: '1' } });
      const [file, text] = must(Object.entries(m['data'])[0], `the dashboard of ${m['metadata']['name']}`);
      expect(unescape(text)).toBe(generated.files[`grafana/dashboards/${file}`]);
    }
  });

  it('carries the Alertmanager config as generated, with credential file paths and no credential', async () => {
    const secrets = Object.values((await stackOf())['resource']['kubernetes_secret_v1']);
    expect(secrets).toHaveLength(1);
    const secret = must(secrets[0], 'the Alertmanager Secret');
    expect(secret['metadata']).toMatchObject({ name: 'alertmanager-kube-prometheus-stack-alertmanager', namespace: `${name}-monitoring` });
    const yml = unescape(must(secret['data']['alertmanager.yaml'], 'alertmanager.yaml'));
    expect(yml).toBe(generated.files[LAYOUT.alertmanager]);
    const paths = [...yml.matchAll(/^\s*-?\s*\w+_file: (.*)$/gm)].map((m) => m[1]);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const p of paths) expect(p).toMatch(/^\/etc\/alertmanager\/secrets\/alertmanager-receivers\//);
    for (const key of INLINE_CREDENTIAL_KEYS) expect(yml).not.toMatch(new RegExp(`^\\s*-?\\s*${key}:`, 'm'));
  });

  it('is deterministic and keeps the files-format monitoring artifact as before', async () => {
    const again = await platformRenderer.stacks(input);
    expect(again.stacks[MONITORING_CONFIG_STACK]).toBe((await rendered).stacks[MONITORING_CONFIG_STACK]);
    const monitoring = await platformRenderer.monitoring(input);
    expect(Object.keys(monitoring)).toContain(LAYOUT.prometheusConfig);
    expect(Object.keys(monitoring).some((f) => f.startsWith('operator/'))).toBe(false);
  });

  it('is saved with the release and loads back last, so apply and rollback include it', async () => {
    const { stacks } = await rendered;
    const store = new ArtifactStore(path.join(dir, `state-${name}`));
    const ref = store.save({ release: input.release, stacks, monitoring: await platformRenderer.monitoring(input) });
    const back = store.load(name, ref.id).rendered;
    expect(Object.keys(back.stacks)).toEqual(order);
    expect(back.stacks[MONITORING_CONFIG_STACK]).toBe(stacks[MONITORING_CONFIG_STACK]);
  });
});

describe('platformRenderer in prod, the standby prod-montreal', () => {
  const input = { platform, env: envNamed('prod'), release: must(releases['prod'], 'the prod release') };
  const rendered = platformRenderer.stacks(input);
  const generated = generateMonitoring({ platform, environment: 'prod', format: 'operator', cluster: 'prod-montreal' });
  const stackOf = async (name: string) => JSON.parse(must((await rendered).stacks[name], `stack ${name}`)) as MonitoringStackJson;
  const alertmanagerYml = async () => {
    const secret = must(Object.values((await stackOf(STANDBY_MONITORING_STACK))['resource']['kubernetes_secret_v1'])[0], 'the Alertmanager Secret');
    return unescape(must(secret['data']['alertmanager.yaml'], 'alertmanager.yaml'));
  };

  it('gets its own monitoring-config stack on the standby stack\'s provider, with its own state', async () => {
    const stack = await stackOf(STANDBY_MONITORING_STACK);
    const standby = JSON.parse(must((await rendered).stacks['standby-prod-montreal'], 'stack standby-prod-montreal')) as StackJson;
    expect(stack['provider']).toEqual(standby['provider']);
    expect(JSON.stringify(stack['provider'])).toContain('cios-prod-montreal');
    expect(stack['variable']).toEqual(standby['variable']);
    const backend = JSON.stringify(stack['terraform']['backend']);
    expect(backend).toContain(`${STANDBY_MONITORING_STACK}.tfstate`);
    expect(backend).not.toBe(JSON.stringify((await stackOf(MONITORING_CONFIG_STACK))['terraform']['backend']));
  });

  it('labels every alert of its PrometheusRules with the cluster; the primary\'s carry none', async () => {
    const alertsIn = async (name: string) =>
      Object.values((await stackOf(name))['resource']['kubernetes_manifest'])
        .map((r) => r['manifest'])
        .filter((m) => m['kind'] === 'PrometheusRule')
        .flatMap((m) => (m as unknown as { spec: { groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[] } }).spec.groups)
        .flatMap((g) => g.rules)
        .filter((r) => r.alert !== undefined);
    const standby = await alertsIn(STANDBY_MONITORING_STACK);
    const primary = await alertsIn(MONITORING_CONFIG_STACK);
    expect(standby.length).toBeGreaterThan(0);
    expect(standby).toHaveLength(primary.length);
    for (const alert of standby) expect(alert.labels?.['cluster'], alert.alert).toBe('prod-montreal');
    for (const alert of primary) expect(alert.labels?.['cluster'], alert.alert).toBeUndefined();
  });

  it('routes its pages to tickets, never to the pager (amtool on the Secret it applies)', async () => {
    const yml = await alertmanagerYml();
    expect(yml).toBe(generated.files[LAYOUT.alertmanager]);
    const file = path.join(dir, 'standby-alertmanager.yml');
    fs.writeFileSync(file, yml);
    const route = (severity: string, receiver: string) =>
      runTool('amtool', ['config', 'routes', 'test', `--config.file=${file}`, `--verify.receivers=${receiver}`, 'environment=prod', 'cluster=prod-montreal', `severity=${severity}`, 'alertname=SloBurnRatePageFast']);
    expect(await route('page', RECEIVERS.ticket)).toMatchObject({ code: 0 });
    expect(await route('ticket', RECEIVERS.ticket)).toMatchObject({ code: 0 });
    expect((await route('page', RECEIVERS.pager)).code).not.toBe(0);
    expect(yml).not.toMatch(/name: pager|pagerduty/);
  });

  it('is deterministic', async () => {
    const again = await platformRenderer.stacks(input);
    expect(again.stacks[STANDBY_MONITORING_STACK]).toBe((await rendered).stacks[STANDBY_MONITORING_STACK]);
  });
});

it('monitoringConfigInput hands @cios/infra plain objects, dashboards by file name and alertmanager.yml', () => {
  const input = monitoringConfigInput(platform, 'dev');
  const generated = generateMonitoring({ platform, environment: 'dev', format: 'operator' });
  expect(input.objects).toEqual(generated.objects);
  expect(Object.keys(input.dashboards)).toContain('overview.json');
  expect(input.dashboards['overview.json']).toBe(generated.files[LAYOUT.dashboard('overview')]);
  expect(input.alertmanagerConfig).toBe(generated.files[LAYOUT.alertmanager]);
  const standby = monitoringConfigInput(platform, 'prod', 'prod-montreal');
  expect(standby.alertmanagerConfig).toBe(generateMonitoring({ platform, environment: 'prod', format: 'operator', cluster: 'prod-montreal' }).files[LAYOUT.alertmanager]);
});
