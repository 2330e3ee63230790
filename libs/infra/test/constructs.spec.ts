import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { namespaceFor } from '@cios/platform-spec';
import { CiosDataStore } from '../src/constructs/cios-data-store.js';
import { CiosNamespace } from '../src/constructs/cios-namespace.js';
import { CiosService } from '../src/constructs/cios-service.js';
import {
  CronJobV1,
  DeploymentV1,
  HorizontalPodAutoscalerV2,
  IngressV1,
  LimitRangeV1,
  NamespaceV1,
  NetworkPolicyV1,
  PodDisruptionBudgetV1,
  ResourceQuotaV1,
  ServiceAccountV1,
  ServiceV1,
  StatefulSetV1,
} from '../src/k8s.js';
import { api, constructProps, db, envOf, must, smallPlatform, web } from './fixtures.js';
import { resourcesOf, type TerraformJson } from './terraform-json.js';

const platform = smallPlatform([web(), api({ config: { env: { LOG_LEVEL: 'info' }, secrets: [{ env: 'API_TOKEN', secretName: 'api-token', key: 'token' }] } }), db()]);
const prod = envOf(platform, 'prod');
const dev = envOf(platform, 'dev');
const svc = (name: string) => must(platform.services.find((s) => s.name === name), `service ${name}`);

function workloadProps(name: string, env = prod) {
  return {
    ...constructProps(svc(name), env),
    callers: name === 'api' ? [{ name: 'web', namespace: namespaceFor(env, 'edge') }] : [],
    ...(name === 'web' ? { host: 'www.example.ca' } : {}),
  };
}

const LABELS = {
  'app.kubernetes.io/name': 'api',
  'app.kubernetes.io/instance': 'api-prod',
  'app.kubernetes.io/version': '1.0.0',
  'app.kubernetes.io/component': 'core',
  'app.kubernetes.io/part-of': 'cios',
  'app.kubernetes.io/managed-by': 'cios-platform',
};

describe('CiosService', () => {
  const synth = Testing.synthScope((scope) => {
    new CiosService(scope, 'api', workloadProps('api'));
  });
  const json = JSON.parse(synth) as TerraformJson;
  const deployment = must(Object.values(resourcesOf(json, 'kubernetes_deployment_v1'))[0], 'the Deployment');

  it('renders a Deployment with zero-downtime rolling updates, zone and node spread, probes and resources', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, DeploymentV1.tfResourceType, {
        metadata: { name: 'api', namespace: 'prod-core', labels: LABELS },
        spec: {
          strategy: { type: 'RollingUpdate', rolling_update: { max_unavailable: '0' } },
          template: {
            spec: {
              topology_spread_constraint: [
                { topology_key: 'topology.kubernetes.io/zone', when_unsatisfiable: 'DoNotSchedule', max_skew: 1 },
                { topology_key: 'kubernetes.io/hostname' },
              ],
            },
          },
        },
      }),
    ).toBe(true);
    // The matcher does fail on a wrong value, so the positive checks above mean something.
    expect(Testing.toHaveResourceWithProperties(synth, DeploymentV1.tfResourceType, { spec: { strategy: { type: 'Recreate' } } })).toBe(false);
    const container = must(deployment.spec.template.spec.container[0], 'container api');
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(container.liveness_probe?.http_get?.path).toBe('/healthz');
    expect(container.readiness_probe?.http_get?.path).toBe('/readyz');
    expect(container.startup_probe?.http_get?.path).toBe('/healthz');
    // Under an HPA, Terraform leaves the replica count to the autoscaler.
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it('runs restricted: non-root UID from the spec, no escalation, no capabilities, seccomp, read-only root with /tmp', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, run_as_user: '10001', seccomp_profile: { type: 'RuntimeDefault' } });
    expect(pod.automount_service_account_token).toBe(false);
    const container = must(pod.container[0], 'container api');
    expect(container.security_context).toEqual({
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      run_as_non_root: true,
      run_as_user: '10001',
      run_as_group: '10001',
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container.volume_mount).toContainEqual({ name: 'tmp', mount_path: '/tmp' });
    expect(pod.volume).toContainEqual({ name: 'tmp', empty_dir: { size_limit: '256Mi' } });
  });

  it('wires plain env through a ConfigMap and secrets by secretKeyRef only', () => {
    const container = must(deployment.spec.template.spec.container[0], 'container api');
    expect(container.env_from).toEqual([{ config_map_ref: { name: 'api-config', optional: false } }]);
    expect(container.env).toEqual([
      { name: 'API_TOKEN', value_from: { secret_key_ref: { name: 'api-token', key: 'token', optional: false } } },
    ]);
    expect(Testing.toHaveResourceWithProperties(synth, 'kubernetes_config_map_v1', { data: { LOG_LEVEL: 'info' } })).toBe(true);
    expect(synth).not.toContain('"value": "token"');
  });

  it('adds a Service, a ServiceAccount without token, an HPA v2 and a PDB', () => {
    expect(Testing.toHaveResourceWithProperties(synth, ServiceV1.tfResourceType, { spec: { type: 'ClusterIP', port: [{ port: 8080 }] } })).toBe(true);
    expect(Testing.toHaveResourceWithProperties(synth, ServiceAccountV1.tfResourceType, { automount_service_account_token: false })).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(synth, HorizontalPodAutoscalerV2.tfResourceType, {
        spec: {
          min_replicas: 3,
          max_replicas: 6,
          scale_target_ref: { kind: 'Deployment', name: 'api' },
          metric: [{ type: 'Resource', resource: { name: 'cpu', target: { average_utilization: 70 } } }],
        },
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(synth, PodDisruptionBudgetV1.tfResourceType, {
        spec: { max_unavailable: '1', selector: { match_labels: { 'app.kubernetes.io/name': 'api' } } },
      }),
    ).toBe(true);
    expect(Testing.toHaveResource(synth, IngressV1.tfResourceType)).toBe(false);
  });

  it('admits only declared callers and monitoring in its NetworkPolicy', () => {
    const policy = must(Object.values(resourcesOf(json, 'kubernetes_network_policy_v1'))[0], 'the NetworkPolicy');
    expect(policy.spec.policy_types).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'prod-edge' } },
            pod_selector: { match_labels: { 'app.kubernetes.io/name': 'web' } },
          },
        ],
        ports: [{ port: '8080', protocol: 'TCP' }],
      },
      {
        from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'prod-monitoring' } } }],
        ports: [{ port: '8080', protocol: 'TCP' }],
      },
    ]);
  });

  it('gets an Ingress and admits the ingress controller when public', () => {
    const publicSynth = Testing.synthScope((scope) => {
      new CiosService(scope, 'web', workloadProps('web'));
    });
    expect(
      Testing.toHaveResourceWithProperties(publicSynth, IngressV1.tfResourceType, {
        spec: { ingress_class_name: 'nginx', rule: [{ host: 'www.example.ca' }], tls: [{ hosts: ['www.example.ca'] }] },
      }),
    ).toBe(true);
    expect(publicSynth).toContain('"kubernetes.io/metadata.name": "ingress-nginx"');
  });

  it('has no PDB with a single replica in dev and spreads with ScheduleAnyway there', () => {
    const devSynth = Testing.synthScope((scope) => {
      new CiosService(scope, 'api', workloadProps('api', dev));
    });
    expect(Testing.toHaveResource(devSynth, PodDisruptionBudgetV1.tfResourceType)).toBe(false);
    expect(devSynth).toContain('"when_unsatisfiable": "ScheduleAnyway"');
    expect(devSynth).not.toContain('DoNotSchedule');
  });
});

describe('CiosDataStore', () => {
  const synth = Testing.synthScope((scope) => {
    new CiosDataStore(scope, 'db', workloadProps('db'));
  });
  const json = JSON.parse(synth) as TerraformJson;

  it('renders a StatefulSet with a volume claim template per replica and tcp probes', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, StatefulSetV1.tfResourceType, {
        spec: {
          replicas: '2',
          service_name: 'db-headless',
          volume_claim_template: [
            { metadata: { name: 'data' }, spec: { access_modes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } },
          ],
        },
      }),
    ).toBe(true);
    const sts = must(Object.values(resourcesOf(json, 'kubernetes_stateful_set_v1'))[0], 'the StatefulSet');
    const container = must(sts.spec.template.spec.container[0], 'container db');
    expect(container.liveness_probe?.tcp_socket).toEqual([{ port: '5432' }]);
    expect(container.volume_mount).toContainEqual({ name: 'data', mount_path: '/var/lib/postgresql/data' });
    expect(Testing.toHaveResourceWithProperties(synth, ServiceV1.tfResourceType, { spec: { cluster_ip: 'None' } })).toBe(true);
    expect(Testing.toHaveResource(synth, PodDisruptionBudgetV1.tfResourceType)).toBe(true);
  });

  it('backs up hourly with the retention and secrets by reference, restricted like the database', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, CronJobV1.tfResourceType, {
        metadata: { name: 'db-backup', labels: { 'cios.ca/backup-of': 'db' } },
        spec: { schedule: '0 * * * *', concurrency_policy: 'Forbid' },
      }),
    ).toBe(true);
    const job = must(Object.values(resourcesOf(json, 'kubernetes_cron_job_v1'))[0], 'the backup CronJob');
    const container = must(job.spec.job_template.spec.template.spec.container[0], 'the backup container');
    expect(container.env).toContainEqual({ name: 'BACKUP_RETENTION_DAYS', value: '7' });
    expect(container.env).toContainEqual({
      name: 'PGPASSWORD',
      value_from: { secret_key_ref: { name: 'db-auth', key: 'password', optional: false } },
    });
    expect(container.security_context).toMatchObject({ read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('lets the backup job through its NetworkPolicy', () => {
    const policy = must(Object.values(resourcesOf(json, 'kubernetes_network_policy_v1'))[0], 'the NetworkPolicy');
    expect(JSON.stringify(policy.spec.ingress)).toContain('"app.kubernetes.io/name":"db-backup"');
  });
});

describe('CiosNamespace', () => {
  const synth = Testing.synthScope((scope) => {
    new CiosNamespace(scope, 'ns', { name: 'prod-core', component: 'core', quota: { 'requests.cpu': '4' } });
  });

  it('labels the namespace for Pod Security Admission restricted (enforce, audit, warn)', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, NamespaceV1.tfResourceType, {
        metadata: {
          name: 'prod-core',
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
            'app.kubernetes.io/part-of': 'cios',
          },
        },
      }),
    ).toBe(true);
  });

  it('denies all ingress by default and sets a quota and limit range', () => {
    expect(
      Testing.toHaveResourceWithProperties(synth, NetworkPolicyV1.tfResourceType, {
        metadata: { name: 'default-deny-ingress', namespace: 'prod-core' },
        spec: { pod_selector: {}, policy_types: ['Ingress'] },
      }),
    ).toBe(true);
    expect(Testing.toHaveResourceWithProperties(synth, ResourceQuotaV1.tfResourceType, { spec: { hard: { 'requests.cpu': '4' } } })).toBe(true);
    expect(Testing.toHaveResource(synth, LimitRangeV1.tfResourceType)).toBe(true);
  });

  it('admits namespace-wide traffic only when asked: from given namespaces, on given ports', () => {
    const admitting = Testing.synthScope((scope) => {
      new CiosNamespace(scope, 'ns', {
        name: 'prod-monitoring',
        component: 'monitoring',
        admit: [{ name: 'allow-ingress-to-grafana', fromNamespaces: ['ingress-nginx'], ports: [3000] }],
      });
    });
    expect(
      Testing.toHaveResourceWithProperties(admitting, NetworkPolicyV1.tfResourceType, {
        metadata: { name: 'allow-ingress-to-grafana', namespace: 'prod-monitoring' },
        spec: {
          pod_selector: {},
          ingress: [
            {
              from: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
              ports: [{ port: '3000', protocol: 'TCP' }],
            },
          ],
        },
      }),
    ).toBe(true);
    const policies = Object.keys(JSON.parse(synth).resource[NetworkPolicyV1.tfResourceType]);
    expect(policies).toHaveLength(1); // without `admit`: the default deny alone
  });

  it('enforces privileged only with a reason, written on the namespace; audit and warn stay restricted', () => {
    const privileged = (podSecurityReason?: string) =>
      Testing.synthScope((scope) => {
        new CiosNamespace(scope, 'ns', {
          name: 'prod-monitoring-node',
          component: 'monitoring',
          podSecurity: 'privileged',
          ...(podSecurityReason === undefined ? {} : { podSecurityReason }),
        });
      });
    for (const missing of [undefined, '   ']) {
      expect(() => privileged(missing)).toThrow(
        'namespace prod-monitoring-node: Pod Security "privileged" needs podSecurityReason saying why its pods need host access',
      );
    }
    const reason = 'The node exporter reads the host through hostNetwork, hostPID and hostPath.';
    expect(
      Testing.toHaveResourceWithProperties(privileged(` ${reason} `), NamespaceV1.tfResourceType, {
        metadata: {
          name: 'prod-monitoring-node',
          annotations: { 'cios.ca/pod-security-reason': reason },
          labels: {
            'pod-security.kubernetes.io/enforce': 'privileged',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
      }),
    ).toBe(true);
    // A restricted namespace carries no reason annotation.
    const restricted = Object.values(JSON.parse(synth).resource[NamespaceV1.tfResourceType]) as { metadata: Record<string, unknown> }[];
    expect(restricted.map((n) => n.metadata['annotations'])).toEqual([undefined]);
  });
});
