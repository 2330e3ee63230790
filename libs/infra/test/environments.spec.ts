import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { platform as catalog } from '@cios/catalog';
import { servicesIn } from '@cios/platform-spec';
import { PolicyError, renderStacks, synthEnvironment } from '../src/index.js';
import { digestRelease, envOf, must, smallPlatform } from './fixtures.js';
import { resourcesOf, type ResourceType } from './terraform-json.js';

const tmp = mkdtempSync(join(tmpdir(), 'cios-infra-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('the catalog per environment', () => {
  it('dev: local backend with a relative path, one cluster, provider by kubeconfig variable and context', () => {
    const stacks = renderStacks({ platform: catalog, environment: envOf(catalog, 'dev') });
    expect(stacks.map((s) => s.name)).toEqual(['platform', 'services']);
    for (const s of stacks) {
      expect(s.config.terraform?.backend).toEqual({ local: { path: `terraform.${s.name}.tfstate` } });
      expect(s.config.provider).toEqual({ kubernetes: [{ config_path: '${var.kubeconfig_path}', config_context: 'cios-dev' }] });
    }
    const ns = must(stacks[0], 'the platform stack').config.resource?.['kubernetes_namespace_v1'] ?? {};
    const names = Object.values(ns).map((n) => (n['metadata'] as { name: string }).name).sort();
    expect(names).toEqual(['dev-ai', 'dev-core', 'dev-data', 'dev-edge', 'dev-monitoring', 'dev-monitoring-node', 'ingress-nginx']);
  });

  it('the ingress and monitoring namespaces deny by default yet admit what they exist for', () => {
    const stacks = renderStacks({ platform: catalog, environment: envOf(catalog, 'dev') });
    type Policy = {
      metadata: { name: string; namespace: string };
      spec: { pod_selector?: unknown; policy_types?: string[]; ingress?: { from?: unknown[]; ports?: { port: string }[] }[] };
    };
    const policies = Object.values(must(stacks[0], 'the platform stack').config.resource?.['kubernetes_network_policy_v1'] ?? {}) as unknown as Policy[];
    const inNamespace = (ns: string) => policies.filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name).sort();
    expect(inNamespace('ingress-nginx')).toEqual(['allow-monitoring', 'allow-public-web', 'default-deny-ingress']);
    expect(inNamespace('dev-monitoring')).toEqual(['allow-ingress-to-grafana', 'allow-operator-webhook', 'allow-same-namespace', 'default-deny-ingress']);
    const web = must(policies.find((p) => p.metadata.name === 'allow-public-web'), 'NetworkPolicy allow-public-web');
    expect(web.spec.ingress).toEqual([{ ports: [80, 443, 8443].map((port) => ({ port: String(port), protocol: 'TCP' })) }]);
    // The API server calls prometheus-operator's webhook from no namespace: any source, on the operator's HTTPS port,
    // to the operator's pods only (kube-prometheus-stack's `app` label on them), not to every pod of the namespace.
    const webhook = must(policies.find((p) => p.metadata.name === 'allow-operator-webhook'), 'NetworkPolicy allow-operator-webhook');
    expect(webhook.metadata.namespace).toBe('dev-monitoring');
    expect(webhook.spec.ingress).toEqual([{ ports: [{ port: '10250', protocol: 'TCP' }] }]);
    expect(webhook.spec.pod_selector).toEqual({ match_labels: { app: 'kube-prometheus-stack-operator' } });
    expect(webhook.spec.policy_types).toEqual(['Ingress']);
    // Still at the address CiosNamespace gave it when it admitted every pod: narrowing it updates it in place.
    const addresses = Object.keys(must(stacks[0], 'the platform stack').config.resource?.['kubernetes_network_policy_v1'] ?? {});
    expect(addresses.filter((a) => a.startsWith('namespace-monitoring_admit-allow-operator-webhook_'))).toHaveLength(1);
    // No other policy of the monitoring namespace admits sources outside the cluster's namespaces.
    const fromAnywhere = policies.filter((p) => p.metadata.namespace === 'dev-monitoring' && (p.spec.ingress ?? []).some((rule) => rule.from === undefined));
    expect(fromAnywhere.map((p) => p.metadata.name)).toEqual(['allow-operator-webhook']);
    // CIOS's own namespaces keep nothing but default deny: each workload admits its callers itself.
    expect(inNamespace('dev-core')).toEqual(['default-deny-ingress']);
  });

  it("the node exporter's namespace: privileged with its reason, still audited and warned, admitting only Prometheus on 9100", () => {
    const platform = must(must(renderStacks({ platform: catalog, environment: envOf(catalog, 'dev') })[0], 'the platform stack').config.resource, 'its resources');
    type Ns = { metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> } };
    const namespace = (name: string) =>
      must((Object.values(must(platform['kubernetes_namespace_v1'], 'the namespaces')) as unknown as Ns[]).find((n) => n.metadata.name === name), `Namespace ${name}`);
    const node = namespace('dev-monitoring-node');
    expect(node.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'app.kubernetes.io/name': 'dev-monitoring-node',
      'app.kubernetes.io/component': 'monitoring',
      'app.kubernetes.io/part-of': 'cios',
      'app.kubernetes.io/managed-by': 'cios-platform',
    });
    expect(node.metadata.annotations?.['cios.ca/pod-security-reason']).toMatch(/hostNetwork, hostPID and hostPath/);
    // Only the node exporter is privileged: the monitoring namespace, where the chart's other parts run, stays baseline.
    expect(namespace('dev-monitoring').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(namespace('dev-monitoring').metadata.annotations).toBeUndefined();

    type Policy = { metadata: { name: string; namespace: string }; spec: { pod_selector: unknown; policy_types: string[]; ingress?: unknown[] } };
    const policies = (Object.values(must(platform['kubernetes_network_policy_v1'], 'the NetworkPolicies')) as unknown as Policy[]).filter((p) => p.metadata.namespace === 'dev-monitoring-node');
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['allow-monitoring-scrape', 'default-deny-ingress']);
    const deny = must(policies.find((p) => p.metadata.name === 'default-deny-ingress'), 'NetworkPolicy default-deny-ingress');
    expect(deny.spec).toEqual({ pod_selector: {}, policy_types: ['Ingress'] });
    expect(must(policies.find((p) => p.metadata.name === 'allow-monitoring-scrape'), 'NetworkPolicy allow-monitoring-scrape').spec.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'dev-monitoring' } } }],
        ports: [{ port: '9100', protocol: 'TCP' }],
      },
    ]);
    // The chart's node exporter sets no resources by default: the LimitRange gives it requests and limits.
    const limits = Object.values(must(platform['kubernetes_limit_range_v1'], 'the LimitRanges')) as unknown as { metadata: { namespace: string } }[];
    expect(limits.some((l) => l.metadata.namespace === 'dev-monitoring-node')).toBe(true);
  });

  it('staging: kubernetes backend, one state secret per stack', () => {
    const stacks = renderStacks({ platform: catalog, environment: envOf(catalog, 'staging') });
    expect(must(stacks[1], 'the services stack').config.terraform?.backend).toEqual({
      kubernetes: { secret_suffix: 'cios-staging-services', namespace: 'kube-system', config_context: 'cios-staging' },
    });
  });

  it('prod: s3 backend in Canada with locking, Toronto primary and a Montreal standby stack with its own context', () => {
    const stacks = renderStacks({ platform: catalog, environment: envOf(catalog, 'prod') });
    expect(stacks.map((s) => `${s.name}@${s.cluster}`)).toEqual(['platform@prod-toronto', 'services@prod-toronto', 'standby-prod-montreal@prod-montreal']);
    expect(must(stacks[0], 'the platform stack').config.terraform?.backend).toEqual({
      s3: { bucket: 'cios-terraform-state-ca', key: 'prod/platform.tfstate', region: 'ca-central-1', encrypt: true, use_lockfile: true },
    });
    const standby = must(stacks[2], 'the standby stack');
    expect(standby.config.provider).toEqual({ kubernetes: [{ config_path: '${var.kubeconfig_path}', config_context: 'cios-prod-montreal' }] });
    expect(JSON.stringify(standby.config)).toContain('"values":["canadaeast"]');
    expect(Object.keys(standby.config.resource?.['kubernetes_namespace_v1'] ?? {})).toHaveLength(7);
    // The standby runs every stateless service prod runs, however many the catalog holds.
    const stateless = servicesIn(catalog, envOf(catalog, 'prod')).filter((s) => s.workload === 'stateless').length;
    expect(Object.keys(standby.config.resource?.['kubernetes_deployment_v1'] ?? {})).toHaveLength(stateless);
  });

  it('prod data tier: clients reach the postgres and redis primaries (qdrant: any peer); Montreal backs up nothing until failover, then to its own prefix', () => {
    const stacks = renderStacks({ platform: catalog, environment: envOf(catalog, 'prod') });
    const of = <T extends ResourceType>(stack: string, type: T) => Object.values(resourcesOf(must(stacks.find((s) => s.name === stack), `stack ${stack}`).config, type));
    const client = (name: string) => must(of('services', 'kubernetes_service_v1').find((s) => s.metadata.name === name), `Service ${name}`).spec.selector;
    expect(client('postgres')['statefulset.kubernetes.io/pod-name']).toBe('postgres-0');
    expect(client('redis')['statefulset.kubernetes.io/pod-name']).toBe('redis-0');
    expect(client('qdrant')).not.toHaveProperty(['statefulset.kubernetes.io/pod-name']);
    const jobs = (stack: string) =>
      of(stack, 'kubernetes_cron_job_v1').map((j) => ({
        name: j.metadata.name,
        suspend: j.spec.suspend,
        destination: must(j.spec.job_template.spec.template.spec.container[0], `${j.metadata.name}'s container`).env.find((e) => e.name === 'BACKUP_DESTINATION')?.value,
      }));
    const toronto = jobs('services');
    const montreal = jobs('standby-prod-montreal');
    expect(toronto.map((j) => j.name).sort()).toEqual(['postgres-backup', 'qdrant-backup', 'redis-backup']);
    expect(toronto.every((j) => j.suspend === false && must(j.destination, `${j.name}'s BACKUP_DESTINATION`).endsWith('/prod/prod-toronto/'))).toBe(true);
    expect(montreal.every((j) => j.suspend === true && must(j.destination, `${j.name}'s BACKUP_DESTINATION`).endsWith('/prod/prod-montreal/'))).toBe(true);
    expect(must(toronto.find((j) => j.name === 'postgres-backup'), 'postgres-backup').destination).toBe('s3://cios-backups-ca-central-1/postgres/prod/prod-toronto/');
  });

  it('dev and staging synthesize without a release (render mode: warnings only), prod refuses without one', () => {
    for (const env of ['dev', 'staging']) {
      const result = synthEnvironment({ platform: catalog, environment: env, outdir: join(tmp, env) });
      expect(result.findings.every((f) => f.severity === 'warning' && f.ruleId === 'CIOS-IMG-002')).toBe(true);
      expect(result.stacks.map((s) => relative(tmp, s.file))).toEqual([
        `${env}/stacks/platform/cdk.tf.json`,
        `${env}/stacks/services/cdk.tf.json`,
      ]);
      expect(readFileSync(join(tmp, env, 'summary.md'), 'utf8')).toContain('| api-gateway |');
    }
    let error: unknown;
    try {
      synthEnvironment({ platform: catalog, environment: 'prod', outdir: join(tmp, 'prod-refused') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).findings.some((f) => f.ruleId === 'CIOS-IMG-002' && f.severity === 'error')).toBe(true);
    expect(() => statSync(join(tmp, 'prod-refused'))).toThrow();
  });

  it('prod with a digest-pinned release passes every rule', () => {
    const release = digestRelease(catalog);
    release.images['backup-tools'] = `ghcr.io/cios/backup-tools:1.4.0@sha256:${'b'.repeat(64)}`;
    const result = synthEnvironment({ platform: catalog, environment: 'prod', release, outdir: join(tmp, 'prod') });
    expect(result.findings).toEqual([]);
    expect(result.summary).toContain('api.cios.ca');
    expect(readFileSync(must(result.stacks[1], 'the services stack').file, 'utf8')).toContain(`ghcr.io/cios/case-service:1.2.3@sha256:${'a'.repeat(64)}`);
  });

  it('prod with tag-only images fails, naming each service', () => {
    const p = smallPlatform();
    expect(() => synthEnvironment({ platform: p, environment: 'prod', release: digestRelease(p, 'prod', false), outdir: join(tmp, 'x') })).toThrow(
      /CIOS-IMG-003 Deployment\/prod-core\/api: container api: "ghcr.io\/test\/api:1.2.3" has no digest/,
    );
  });

  it('is deterministic: two synths give byte-identical files with no absolute paths or cdktf metadata', () => {
    const a = join(tmp, 'det-a');
    const b = join(tmp, 'det-b');
    synthEnvironment({ platform: catalog, environment: 'dev', outdir: a });
    synthEnvironment({ platform: catalog, environment: 'dev', outdir: b });
    const filesA = filesUnder(a);
    expect(Object.keys(filesA).sort()).toEqual(['stacks/platform/cdk.tf.json', 'stacks/services/cdk.tf.json', 'summary.md']);
    expect(filesUnder(b)).toEqual(filesA);
    for (const text of Object.values(filesA)) {
      expect(text).not.toContain(tmp);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain('"//"');
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });

  it('never writes secret values: only secret names and keys appear', () => {
    const stacks = renderStacks({ platform: catalog, environment: envOf(catalog, 'prod') });
    const text = JSON.stringify(stacks);
    expect(text).not.toMatch(/"name":"[A-Z_]*(PASSWORD|TOKEN|API_KEY)","value":/);
    expect(text).toContain('"secret_key_ref":{"key":"password","name":"postgres-superuser","optional":false}');
  });
});
