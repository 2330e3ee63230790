import { TerraformStack, type ITerraformDependable } from '../cdktf.js';
import type { Construct } from '../cdktf.js';
import {
  Tier,
  ingressNamespaceFor,
  monitoringNamespaceFor,
  namespaceFor,
  nodeExporterNamespaceFor,
  publicHostFor,
  servicesIn,
  type Cluster,
  type Environment,
  type Platform,
  type Release,
  type Service,
} from '@cios/platform-spec';
import { SpecBackend, backendAttributes } from '../backend.js';
import { CiosDataStore } from '../constructs/cios-data-store.js';
import { CiosNamespace } from '../constructs/cios-namespace.js';
import { CiosService } from '../constructs/cios-service.js';
import type { Caller } from '../constructs/service-common.js';
import { backupImageFor, imageFor } from '../images.js';
import { NetworkPolicyV1 } from '../k8s.js';
import { platformLabels } from '../labels.js';
import { NODE_EXPORTER_PRIVILEGE_REASON } from '../pod-security.js';
import { kubernetesProvider } from '../provider.js';
import { quotaFor } from '../quota.js';

export interface ClusterStackProps {
  readonly platform: Platform;
  readonly environment: Environment;
  readonly cluster: Cluster;
  /** Terraform stack name; also names its state (file, secret suffix or S3 key). */
  readonly stackName: string;
  /** @default undefined — images render as `<repository>:unreleased` and the policy flags them. */
  readonly release?: Release;
}

/** A stack with the environment's backend (its own state per stack) and the cluster's provider: every stack starts here. */
export function baseStack(scope: Construct, props: Pick<ClusterStackProps, 'environment' | 'cluster' | 'stackName'>): TerraformStack {
  const stack = new TerraformStack(scope, props.stackName);
  const backend = backendAttributes(props.environment, props.stackName);
  new SpecBackend(stack, backend.type, backend.attributes);
  kubernetesProvider(stack, props.cluster);
  return stack;
}

/**
 * The HTTPS port of prometheus-operator's pod in kube-prometheus-stack (`prometheusOperator.tls.internalPort`,
 * also the separate admission-webhook Deployment's): the API server calls its admission webhook there.
 */
export const OPERATOR_WEBHOOK_PORT = 10250;

/**
 * The label kube-prometheus-stack gives prometheus-operator's pods and selects them by (its Deployment's
 * immutable selector, its Service and its own NetworkPolicy): `app: <chart name>-operator`, the chart's name
 * being "kube-prometheus-stack" unless `nameOverride` is set; the release's name does not enter it. From
 * prometheus-community/helm-charts, chart kube-prometheus-stack 88.5.3 (tag kube-prometheus-stack-88.5.3, commit
 * ea930baeebeba39f56d6b44e351f23b2a072a600): charts/kube-prometheus-stack/templates/prometheus-operator/
 * deployment.yaml and _prometheus-operator.tpl, "kube-prometheus-stack.name" in templates/_helpers.tpl; the
 * same since the chart was renamed from prometheus-operator in 2020. The chart's separate admission-webhook
 * Deployment (`prometheusOperator.admissionWebhooks.deployment.enabled`, off by default) carries
 * `app: kube-prometheus-stack-operator-webhook` instead and is not admitted.
 */
export const OPERATOR_POD_LABELS: Readonly<Record<string, string>> = { app: 'kube-prometheus-stack-operator' };

/** The port node-exporter serves metrics on (prometheus-node-exporter's `service.port`), on the node's network. */
export const NODE_EXPORTER_PORT = 9100;

/**
 * Namespaces of one environment: one per tier its services use (a tier whose services all run elsewhere gets
 * none, and quotas count only what runs here), ingress, monitoring and the node exporter's.
 */
export function addNamespaces(stack: Construct, platform: Platform, env: Environment): Map<string, ITerraformDependable> {
  const created = new Map<string, ITerraformDependable>();
  const running = servicesIn(platform, env);
  for (const tier of Tier.options) {
    const services = running.filter((s) => s.tier === tier);
    if (services.length === 0) continue;
    const name = namespaceFor(env, tier);
    const ns = new CiosNamespace(stack, `namespace-${tier}`, { name, component: tier, quota: quotaFor(services, env) });
    created.set(name, ns.namespace);
  }
  // The ingress controller binds low ports, and the monitoring stack's pods come from a chart whose security
  // contexts CIOS does not write: both enforce `baseline`, audited and warned against `restricted`. The node
  // exporter, which needs the host, gets a namespace of its own rather than lowering the monitoring one.
  const ingress = ingressNamespaceFor(env);
  const monitoring = monitoringNamespaceFor(env);
  const nodeExporter = nodeExporterNamespaceFor(env);
  // Their workloads are installed outside CIOS, so default deny would cut them off entirely: admit
  // what they exist for. 8443 is the ingress controller's admission webhook, called by the API server.
  const ingressAdmits = [
    { name: 'allow-public-web', fromNamespaces: [], ports: [80, 443, 8443] },
    { name: 'allow-monitoring', fromNamespaces: [monitoring], ports: [10254] },
  ];
  // Prometheus scraping the operator, Grafana and Alertmanager is same-namespace traffic, already admitted.
  // The webhook admit comes after the namespace, narrowed to the operator's pods.
  const monitoringAdmits = [
    { name: 'allow-same-namespace', fromNamespaces: [monitoring], ports: [] },
    { name: 'allow-ingress-to-grafana', fromNamespaces: [ingress], ports: [3000] },
  ];
  // Only Prometheus scrapes the node exporter. It runs on the host network, for which Kubernetes leaves
  // NetworkPolicy undefined (a plugin applies it or treats the traffic as the node's): these policies bind the
  // plugins that do, and whatever else is ever scheduled here.
  const nodeExporterAdmits = [{ name: 'allow-monitoring-scrape', fromNamespaces: [monitoring], ports: [NODE_EXPORTER_PORT] }];
  created.set(
    ingress,
    new CiosNamespace(stack, 'namespace-ingress', { name: ingress, component: 'ingress', podSecurity: 'baseline', admit: ingressAdmits }).namespace,
  );
  const monitoringNamespace = new CiosNamespace(stack, 'namespace-monitoring', {
    name: monitoring,
    component: 'monitoring',
    podSecurity: 'baseline',
    admit: monitoringAdmits,
  });
  created.set(monitoring, monitoringNamespace.namespace);
  // The API server calls prometheus-operator's admission webhook (PrometheusRules, AlertmanagerConfigs) from
  // no namespace a selector could name, its source differing per provider: any source, on that port, to the
  // operator's pods only. `baseline` keeps out hostNetwork pods, whose 10250 is the kubelet's. A child of the
  // namespace's construct with the id CiosNamespace gives its admits, so its Terraform address stays the one it
  // had when it admitted every pod of the namespace (an in-place update, not a replacement).
  new NetworkPolicyV1(monitoringNamespace, 'admit-allow-operator-webhook', {
    metadata: { name: 'allow-operator-webhook', namespace: monitoring, labels: platformLabels(monitoring, 'monitoring') },
    spec: {
      podSelector: { matchLabels: { ...OPERATOR_POD_LABELS } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: String(OPERATOR_WEBHOOK_PORT), protocol: 'TCP' }] }],
    },
    dependsOn: [monitoringNamespace.namespace],
  });
  // The one privileged namespace, with the reason the policy (CIOS-PSA-001) accepts it for.
  created.set(
    nodeExporter,
    new CiosNamespace(stack, 'namespace-monitoring-node', {
      name: nodeExporter,
      component: 'monitoring',
      podSecurity: 'privileged',
      podSecurityReason: NODE_EXPORTER_PRIVILEGE_REASON,
      admit: nodeExporterAdmits,
    }).namespace,
  );
  return created;
}

/**
 * Services of `env` whose dependsOn names `service`: the only pods its NetworkPolicy admits. A caller that does
 * not run in `env` has no pods there to admit, so it opens nothing.
 */
export function callersOf(platform: Platform, env: Environment, service: Service): Caller[] {
  return servicesIn(platform, env)
    .filter((s) => s.dependsOn.includes(service.name))
    .map((s) => ({ name: s.name, namespace: namespaceFor(env, s.tier) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

export function addServices(
  stack: Construct,
  props: ClusterStackProps,
  namespaces?: ReadonlyMap<string, ITerraformDependable>,
): (CiosService | CiosDataStore)[] {
  const { platform, environment: env } = props;
  return servicesIn(platform, env).map((service) => {
    const namespace = namespaceFor(env, service.tier);
    const image = imageFor(service, props.release);
    const host = publicHostFor(env, service);
    const ns = namespaces?.get(namespace);
    const workloadProps = {
      service,
      environment: env,
      namespace,
      region: props.cluster.region,
      image: image.ref,
      version: image.version,
      callers: callersOf(platform, env, service),
      monitoringNamespace: monitoringNamespaceFor(env),
      ingressNamespace: ingressNamespaceFor(env),
      ...(host ? { host } : {}),
      ...(ns ? { dependsOn: [ns] } : {}),
    };
    return service.workload === 'stateful'
      ? new CiosDataStore(stack, service.name, {
          ...workloadProps,
          cluster: props.cluster,
          ...(service.backup ? { backupImage: backupImageFor(service.backup.image, props.release) } : {}),
        })
      : new CiosService(stack, service.name, workloadProps);
  });
}

/** Namespaces, quotas, limit ranges and default-deny policies of one cluster. */
export function platformStack(scope: Construct, props: ClusterStackProps): TerraformStack {
  const stack = baseStack(scope, props);
  addNamespaces(stack, props.platform, props.environment);
  return stack;
}

/** Every service of the catalog that runs in the environment, on one cluster; apply after the platform stack. */
export function servicesStack(scope: Construct, props: ClusterStackProps): TerraformStack {
  const stack = baseStack(scope, props);
  addServices(stack, props);
  return stack;
}

/** A standby cluster in one stack (namespaces and services), with its own provider context. */
export function standbyStack(scope: Construct, props: ClusterStackProps): TerraformStack {
  const stack = baseStack(scope, props);
  const namespaces = addNamespaces(stack, props.platform, props.environment);
  addServices(stack, props, namespaces);
  return stack;
}
