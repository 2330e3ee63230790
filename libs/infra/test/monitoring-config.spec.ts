import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { SpecError } from '@cios/platform-spec';
import {
  CiosMonitoringConfig,
  INLINE_CREDENTIAL_KEYS,
  MONITORING_CONFIG_STACK,
  buildModel,
  monitoringConfigStackName,
  renderStacks,
  synthMonitoringConfig,
  terraformLiteral,
  type MonitoringConfigOptions,
} from '../src/index.js';
import { ALERTMANAGER_YML, dashboard, monitoringInput, prometheusRule, serviceMonitor } from './monitoring-fixtures.js';
import { envOf, must, smallPlatform } from './fixtures.js';
import { resourcesOf, type ResourceType, type TerraformJson } from './terraform-json.js';

const platform = smallPlatform();
const synth = (env: string, overrides: Partial<MonitoringConfigOptions> = {}) =>
  synthMonitoringConfig({ platform, environment: env, ...monitoringInput(env), ...overrides });
const resources = <T extends ResourceType>(config: TerraformJson, type: T) => Object.values(resourcesOf(config, type));
const manifests = (config: TerraformJson, kind: string) => resources(config, 'kubernetes_manifest').map((r) => r['manifest']).filter((m) => m.kind === kind);
/** What Terraform makes of a literal: `$${` and `%%{` back to `${` and `%{`. */
const unescape = (text: string) => text.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

/** Thrown error's message, or a failed test when nothing was thrown. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('synthMonitoringConfig', () => {
  const dev = synth('dev');
  const config = dev.stack.config;

  it('uses the backend and provider of the environment\'s other stacks, on the primary cluster', () => {
    expect(dev.stack.name).toBe(MONITORING_CONFIG_STACK);
    expect(dev.stack.cluster).toBe('dev-1');
    const platformStack = must(renderStacks({ platform, environment: envOf(platform, 'dev') })[0], 'the platform stack');
    expect(config['provider']).toEqual(platformStack.config.provider);
    expect(config['variable']).toEqual(platformStack.config.variable);
    expect(config['terraform']).toEqual({ ...platformStack.config.terraform, backend: { local: { path: 'terraform.monitoring-config.tfstate' } } });

    const prod = synth('prod').stack;
    expect(prod.cluster).toBe('prod-tor');
    expect(prod.config.provider).toEqual({ kubernetes: [{ config_path: '${var.kubeconfig_path}', config_context: 'ctx-tor' }] });
    expect(prod.config.terraform?.backend).toEqual({ s3: { bucket: 'state-bucket', key: 'prod/monitoring-config.tfstate', region: 'ca-central-1', encrypt: true, use_lockfile: true } });
  });

  it('on a standby cluster: its own stack, on that cluster\'s provider and state, like its standby stack', () => {
    const standby = synth('prod', { cluster: 'prod-mtl' });
    expect(standby.stack.name).toBe('monitoring-config-prod-mtl');
    expect(standby.stack.cluster).toBe('prod-mtl');
    const standbyStack = must(
      renderStacks({ platform, environment: envOf(platform, 'prod') }).find((s) => s.name === 'standby-prod-mtl'),
      'the standby stack',
    );
    expect(standby.stack.config.provider).toEqual(standbyStack.config.provider);
    expect(standby.stack.config.provider).toEqual({ kubernetes: [{ config_path: '${var.kubeconfig_path}', config_context: 'ctx-mtl' }] });
    expect(standby.stack.config.terraform?.backend).toEqual({
      s3: { bucket: 'state-bucket', key: 'prod/monitoring-config-prod-mtl.tfstate', region: 'ca-central-1', encrypt: true, use_lockfile: true },
    });
    // The same content in the same namespaces: the standby stack creates them on its cluster.
    const primary = synth('prod');
    expect(standby.stack.config.resource).toEqual(primary.stack.config.resource);
    expect(synth('prod', { cluster: 'prod-mtl' }).json).toBe(standby.json);
    // Naming the primary is the default: same name, same state, byte-identical.
    expect(synth('prod', { cluster: 'prod-tor' }).json).toBe(primary.json);
  });

  it('names the stack after the cluster only on a secondary, and refuses a cluster the environment does not have', () => {
    expect(monitoringConfigStackName({ name: 'prod-tor', role: 'primary' })).toBe(MONITORING_CONFIG_STACK);
    expect(monitoringConfigStackName({ name: 'prod-mtl', role: 'secondary' })).toBe('monitoring-config-prod-mtl');
    const error = errorOf(() => synth('dev', { cluster: 'prod-mtl' }));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toContain('cluster: "prod-mtl" is not a cluster of dev (dev-1)');
  });

  it('applies a PrometheusRule per rule file in <env>-monitoring and each ServiceMonitor in its service\'s namespace, as written', () => {
    const rules = manifests(config, 'PrometheusRule');
    expect(rules.map((r) => r.metadata.name).sort()).toEqual(['cios-api.kubernetes', 'cios-api.slo-availability', 'cios-platform']);
    for (const r of rules) expect(r.metadata.namespace).toBe('dev-monitoring');
    const monitors = manifests(config, 'ServiceMonitor');
    expect(monitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(['dev-core/api', 'dev-edge/web']);
    expect(resources(config, 'kubernetes_manifest')).toHaveLength(5);

    // The object reaches the cluster unchanged but for the recommended labels it lacked.
    const input = prometheusRule('dev', 'platform');
    const rendered = must(rules.find((r) => r.metadata.name === 'cios-platform'), 'PrometheusRule cios-platform');
    expect(rendered.spec).toEqual(input.spec);
    expect(rendered.metadata.labels).toEqual({
      ...input.metadata.labels,
      'app.kubernetes.io/component': 'monitoring',
      'app.kubernetes.io/managed-by': 'cios-monitoring', // the object's own, kept
    });
    expect(Object.keys(resourcesOf(config, 'kubernetes_manifest')).sort()).toEqual([
      'prometheusrule_dev-monitoring_cios-api_kubernetes',
      'prometheusrule_dev-monitoring_cios-api_slo-availability',
      'prometheusrule_dev-monitoring_cios-platform',
      'servicemonitor_dev-core_api',
      'servicemonitor_dev-edge_web',
    ]);
  });

  it('puts each dashboard in a ConfigMap in <env>-monitoring labelled for the Grafana sidecar, as a Terraform literal', () => {
    const maps = resources(config, 'kubernetes_config_map_v1');
    expect(maps.map((m) => m['metadata'].name).sort()).toEqual(['cios-dashboard-api', 'cios-dashboard-overview']);
    for (const m of maps) {
      expect(m['metadata'].namespace).toBe('dev-monitoring');
      expect(m['metadata'].labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'cios', 'app.kubernetes.io/managed-by': 'cios-platform' });
    }
    const api = must(maps.find((m) => m['metadata'].name === 'cios-dashboard-api'), 'ConfigMap cios-dashboard-api');
    expect(Object.keys(api['data'])).toEqual(['api.json']);
    // `${datasource}` would be a Terraform reference: it is escaped, and reads back as written.
    expect(api['data']['api.json']).toContain('"uid": "$${datasource}"');
    expect(api['data']['api.json']).not.toMatch(/(^|[^$])\$\{|(^|[^%])%\{/);
    expect(unescape(must(api['data']['api.json'], 'api.json'))).toBe(dashboard('cios-api'));
  });

  it('puts the Alertmanager config in the Secret kube-prometheus-stack\'s Alertmanager reads, with file paths and no credential', () => {
    const [first, ...others] = resources(config, 'kubernetes_secret_v1');
    expect(others).toEqual([]);
    const secret = must(first, 'the Alertmanager Secret');
    expect(secret['metadata']).toMatchObject({ name: 'alertmanager-kube-prometheus-stack-alertmanager', namespace: 'dev-monitoring' });
    expect(secret['type']).toBe('Opaque');
    const yml = unescape(must(secret['data']['alertmanager.yaml'], 'alertmanager.yaml'));
    expect(yml).toBe(ALERTMANAGER_YML);
    const files = [...yml.matchAll(/^\s*-?\s*(\w+_file): (.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(files.map(([k]) => k).sort()).toEqual(['api_url_file', 'credentials_file', 'routing_key_file']);
    for (const [, path] of files) expect(path).toMatch(/^\/etc\/alertmanager\/secrets\/alertmanager-receivers\/[a-z-]+$/);
    for (const key of INLINE_CREDENTIAL_KEYS) expect(yml).not.toMatch(new RegExp(`^\\s*-?\\s*${key}:`, 'm'));
    expect(dev.findings).toEqual([]);

    const named = synth('dev', { alertmanagerSecretName: 'alertmanager-monitoring' }).stack.config;
    expect(must(resources(named, 'kubernetes_secret_v1')[0], 'the Alertmanager Secret')['metadata'].name).toBe('alertmanager-monitoring');
  });

  it('refuses an Alertmanager config with a credential inline, without repeating it', () => {
    const leaked = ALERTMANAGER_YML.replace('routing_key_file: /etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key', 'routing_key: 0123456789abcdef0123456789abcdef');
    const error = errorOf(() => synth('dev', { alertmanagerConfig: leaked }));
    expect(error.name).toBe('PolicyError');
    expect(error.message).toContain(`CIOS-SEC-002 Secret/dev-monitoring/alertmanager-kube-prometheus-stack-alertmanager: data["alertmanager.yaml"] line ${ALERTMANAGER_YML.split('\n').findIndex((l) => l.includes('routing_key_file')) + 1}: routing_key holds a credential inline; use routing_key_file`);
    expect(error.message).not.toContain('0123456789abcdef');
  });

  it('the policy model sees each object as its own kind', () => {
    const model = buildModel([dev.stack]);
    expect(model.byKind('PrometheusRule').map((o) => o.resource)).toContain('PrometheusRule/dev-monitoring/cios-platform');
    expect(model.byKind('ServiceMonitor').map((o) => o.address)).toContain('monitoring-config:kubernetes_manifest.servicemonitor_dev-core_api');
    expect(model.byKind('Secret').map((o) => o.resource)).toEqual(['Secret/dev-monitoring/alertmanager-kube-prometheus-stack-alertmanager']);
  });

  it('is deterministic: a second synth, and the same input in another order, give byte-identical JSON', () => {
    expect(synth('dev').json).toBe(dev.json);
    const input = monitoringInput('dev');
    const shuffled = synth('dev', {
      objects: [...input.objects].reverse(),
      dashboards: Object.fromEntries(Object.entries(input.dashboards).reverse()),
    });
    expect(shuffled.json).toBe(dev.json);
    expect(dev.json).toBe(`${JSON.stringify(config, null, 2)}\n`);
  });

  it('names the object in error when it has no kind or no metadata.name', () => {
    const { kind: _kind, ...noKind } = prometheusRule('dev', 'platform');
    const noName = { ...serviceMonitor('api', 'dev-core'), metadata: { namespace: 'dev-core' } };
    const error = errorOf(() => synth('dev', { objects: [prometheusRule('dev', 'api.kubernetes'), noKind, noName] }));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toContain('monitoring-config objects for dev is invalid:');
    expect(error.message).toContain('- objects[1] ("cios-platform", which has no kind) kind: is missing: every object needs a kind');
    expect(error.message).toContain('- objects[2] (a ServiceMonitor without metadata.name) metadata.name: is missing: every object needs a name');
    expect(error.message).not.toContain('objects[0]');
    const bare = errorOf(() => synth('dev', { objects: [{ apiVersion: 'monitoring.coreos.com/v1' }] }));
    expect(bare.message).toContain('- objects[0] (an object with neither kind nor metadata.name) metadata: is missing: every object needs metadata with a name');
  });

  it('refuses objects outside the operator\'s API group or the environment, and the same object twice', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'dev-core' }, spec: {} };
    const cases: [unknown[], string][] = [
      [[deployment], 'objects[0] (Deployment "x") apiVersion: is "apps/v1": only prometheus-operator objects (monitoring.coreos.com/…) belong in the monitoring-config stack'],
      [[prometheusRule('prod', 'platform')], 'objects[0] (PrometheusRule "cios-platform") metadata.namespace: "prod-monitoring" is not a namespace of dev (dev-core, dev-data, dev-edge, dev-monitoring, ingress-nginx)'],
      [[{ ...serviceMonitor('api', 'dev-core'), metadata: { name: 'api' } }], 'objects[0] (ServiceMonitor "api") metadata.namespace: is missing'],
      [[serviceMonitor('api', 'dev-core'), serviceMonitor('api', 'dev-core')], 'objects[1] (ServiceMonitor "api"): is the same cluster object as objects[0]'],
      [[{ ...serviceMonitor('api', 'dev-core'), metadata: { name: 'API', namespace: 'dev-core' } }], 'objects[0] (ServiceMonitor "API") metadata.name: must be a DNS-1123 subdomain'],
    ];
    for (const [objects, message] of cases) expect(errorOf(() => synth('dev', { objects })).message).toContain(message);
  });

  it('refuses a dashboard that is not JSON, has no uid or has a name that cannot name a ConfigMap', () => {
    const error = errorOf(() => synth('dev', { dashboards: { 'a.json': '{', 'b.json': '{"title":"b"}', 'C D.json': dashboard('c') } }));
    expect(error.message).toContain('- dashboards["a.json"]: is not valid JSON');
    expect(error.message).toContain('- dashboards["b.json"].uid: is missing');
    expect(error.message).toContain('- dashboards["C D.json"]: must be named "<name>.json"');
    expect(errorOf(() => synth('dev', { alertmanagerConfig: ' \n' })).message).toContain('alertmanagerConfig: is empty');
    expect(errorOf(() => synth('qa')).message).toBe('unknown environment "qa"; the platform has: dev, staging, prod');
  });
});

describe('CiosMonitoringConfig (cdktf Testing)', () => {
  const out = Testing.synthScope((scope) => {
    new CiosMonitoringConfig(scope, 'monitoring', {
      namespace: 'prod-monitoring',
      objects: [prometheusRule('prod', 'platform')],
      dashboards: { 'overview.json': dashboard('cios-overview') },
      alertmanagerConfig: ALERTMANAGER_YML,
      dashboardLabels: { grafana_dashboard: 'cios' },
    });
  });

  it('renders the three kinds of resource with the props given', () => {
    expect(Testing.toHaveResourceWithProperties(out, 'kubernetes_manifest', { manifest: { kind: 'PrometheusRule', metadata: { name: 'cios-platform', namespace: 'prod-monitoring' } } })).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(out, 'kubernetes_config_map_v1', {
        metadata: { name: 'cios-dashboard-overview', namespace: 'prod-monitoring', labels: { grafana_dashboard: 'cios', 'app.kubernetes.io/instance': 'overview' } },
      }),
    ).toBe(true);
    expect(Testing.toHaveResourceWithProperties(out, 'kubernetes_secret_v1', { metadata: { name: 'alertmanager-kube-prometheus-stack-alertmanager', namespace: 'prod-monitoring' } })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(out, 'kubernetes_config_map_v1', { metadata: { labels: { grafana_dashboard: '1' } } })).toBe(false);
  });
});

const terraform = (() => {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
    return 'terraform';
  } catch {
    return undefined;
  }
})();

describe.skipIf(!terraform)('Terraform reads the literals back as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cios-literal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a dashboard, a rule object and edge cases round-trip through Terraform unchanged', () => {
    const config = synth('dev').stack.config;
    const configMap = must(resourcesOf(config, 'kubernetes_config_map_v1')['dashboard_api'], 'kubernetes_config_map_v1.dashboard_api');
    const rule = must(resourcesOf(config, 'kubernetes_manifest')['prometheusrule_dev-monitoring_cios-platform'], 'kubernetes_manifest.prometheusrule_dev-monitoring_cios-platform');
    const edge = ['${a}', '%{ if x }', '$${b}', '%%{c}', '$x', '$', '%', '{{ $value }}'];
    // Outputs evaluate their values as Terraform would the resources' arguments: no provider needed.
    const tf = { output: { dashboard: { value: configMap['data'] }, rule: { value: rule['manifest'] }, edge: { value: edge.map(terraformLiteral) } } };
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(tf));
    const run = (...args: string[]) =>
      execFileSync(must(terraform, 'terraform'), args, { cwd: dir, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run('init', '-input=false', '-no-color');
    run('apply', '-auto-approve', '-input=false', '-no-color');
    const outputs = JSON.parse(run('output', '-json')) as Record<string, { value: unknown }>;
    expect(must(outputs['dashboard'], 'output dashboard').value).toEqual({ 'api.json': dashboard('cios-api') });
    const input = prometheusRule('dev', 'platform');
    expect(must(outputs['rule'], 'output rule').value).toMatchObject({ ...input, metadata: { ...input.metadata, labels: expect.objectContaining(input.metadata.labels) } });
    expect(must(outputs['edge'], 'output edge').value).toEqual(edge);
  });
});
