import type { RenderedStack } from '../render.js';

type Json = Record<string, unknown>;

/** A Terraform block as cdktf renders it: an object, or a one-element list. */
export function block(value: unknown): Json | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== null && typeof v === 'object' ? (v as Json) : undefined;
}

export function blocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter((v): v is Json => v !== null && typeof v === 'object');
  const one = block(value);
  return one ? [one] : [];
}

export function stringRecord(value: unknown): Record<string, string> {
  const v = block(value);
  if (!v) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** A Kubernetes object found in the Terraform JSON. */
export interface K8sObject {
  readonly kind: string;
  readonly type: string;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  /** `<Kind>/<namespace>/<name>` */
  readonly resource: string;
  /** `<stack>:<type>.<logical id>` */
  readonly address: string;
  readonly stack: string;
  readonly body: Json;
}

/** A pod-running object: the path to its pod spec differs per kind; the policy needs only the spec. */
export interface Workload extends K8sObject {
  readonly podSpec: Json;
  readonly podLabels: Record<string, string>;
  readonly containers: Json[];
  /** Declared replicas (Deployments under an HPA declare none: see `effectiveReplicas`). */
  readonly replicas?: number;
  readonly selector: Record<string, string>;
}

const KINDS: Record<string, string> = {
  kubernetes_namespace_v1: 'Namespace',
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_stateful_set_v1: 'StatefulSet',
  kubernetes_cron_job_v1: 'CronJob',
  kubernetes_service_v1: 'Service',
  kubernetes_service_account_v1: 'ServiceAccount',
  kubernetes_config_map_v1: 'ConfigMap',
  kubernetes_horizontal_pod_autoscaler_v2: 'HorizontalPodAutoscaler',
  kubernetes_pod_disruption_budget_v1: 'PodDisruptionBudget',
  kubernetes_network_policy_v1: 'NetworkPolicy',
  kubernetes_ingress_v1: 'Ingress',
  kubernetes_resource_quota_v1: 'ResourceQuota',
  kubernetes_limit_range_v1: 'LimitRange',
};

export function kindOf(type: string): string {
  return KINDS[type] ?? type;
}

export interface PolicyModel {
  readonly objects: readonly K8sObject[];
  readonly workloads: readonly Workload[];
  byKind(kind: string): K8sObject[];
  /** Replicas a workload runs with: the HPA's minimum when one targets it, else its declared count, else 1. */
  effectiveReplicas(workload: Workload): number;
  hpaFor(workload: Workload): K8sObject | undefined;
}

function podSpecOf(kind: string, body: Json): { spec: Json; labels: Record<string, string> } | undefined {
  const spec = block(body['spec']);
  if (!spec) return undefined;
  const template =
    kind === 'CronJob'
      ? block(block(block(block(spec['job_template'])?.['spec'])?.['template']))
      : block(spec['template']);
  const podSpec = block(template?.['spec']);
  if (!podSpec) return undefined;
  return { spec: podSpec, labels: stringRecord(block(template?.['metadata'])?.['labels']) };
}

export function buildModel(stacks: readonly RenderedStack[]): PolicyModel {
  const objects: K8sObject[] = [];
  const workloads: Workload[] = [];
  for (const stack of stacks) {
    const resources = stack.config.resource ?? {};
    for (const type of Object.keys(resources).sort()) {
      const byId = resources[type] ?? {};
      for (const id of Object.keys(byId).sort()) {
        const body = byId[id] as Json;
        const metadata = block(body['metadata']) ?? {};
        const name = typeof metadata['name'] === 'string' ? metadata['name'] : id;
        const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
        const kind = kindOf(type);
        const object: K8sObject = {
          kind,
          type,
          name,
          ...(namespace ? { namespace } : {}),
          labels: stringRecord(metadata['labels']),
          resource: namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`,
          address: `${stack.name}:${type}.${id}`,
          stack: stack.name,
          body,
        };
        objects.push(object);
        if (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'CronJob') {
          const pod = podSpecOf(kind, body);
          if (!pod) continue;
          const spec = block(body['spec']) ?? {};
          const replicas = spec['replicas'] === undefined ? undefined : Number(spec['replicas']);
          workloads.push({
            ...object,
            podSpec: pod.spec,
            podLabels: pod.labels,
            containers: [...blocks(pod.spec['init_container']), ...blocks(pod.spec['container'])],
            ...(replicas === undefined ? {} : { replicas }),
            selector: stringRecord(block(spec['selector'])?.['match_labels']),
          });
        }
      }
    }
  }
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  const hpaFor = (w: Workload) =>
    hpas.find((h) => {
      const ref = block(block(h.body['spec'])?.['scale_target_ref']);
      return h.stack === w.stack && h.namespace === w.namespace && ref?.['kind'] === w.kind && ref?.['name'] === w.name;
    });
  return {
    objects,
    workloads,
    byKind: (kind) => objects.filter((o) => o.kind === kind),
    hpaFor,
    effectiveReplicas: (w) => {
      const hpa = hpaFor(w);
      const min = hpa ? Number(block(hpa.body['spec'])?.['min_replicas'] ?? 1) : undefined;
      return min ?? w.replicas ?? 1;
    },
  };
}

/** True when every key/value of `selector` is among `labels` (an empty selector matches everything). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function violationAt(object: K8sObject, message: string) {
  return { resource: object.resource, address: object.address, message };
}
