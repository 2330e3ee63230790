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
  kubernetes_secret_v1: 'Secret',
  kubernetes_horizontal_pod_autoscaler_v2: 'HorizontalPodAutoscaler',
  kubernetes_pod_disruption_budget_v1: 'PodDisruptionBudget',
  kubernetes_network_policy_v1: 'NetworkPolicy',
  kubernetes_ingress_v1: 'Ingress',
  kubernetes_resource_quota_v1: 'ResourceQuota',
  kubernetes_limit_range_v1: 'LimitRange',
};

/** The resource type that applies any object as written (prometheus-operator's custom resources). */
export const MANIFEST_TYPE = 'kubernetes_manifest';

export function kindOf(type: string): string {
  return KINDS[type] ?? type;
}

export interface PolicyModel {
  readonly objects: readonly K8sObject[];
  readonly workloads: readonly Workload[];
  /** Objects of one kind, in model order (indexed once: rules may call it freely). */
  byKind(kind: string): K8sObject[];
  /** The workload at a `<stack>:<type>.<id>` address. */
  workloadAt(address: string): Workload | undefined;
  /** Replicas a workload runs with: the HPA's minimum when one targets it, else its declared count, else 1. */
  effectiveReplicas(workload: Workload): number;
  hpaFor(workload: Workload): K8sObject | undefined;
}

/**
 * Objects found by label selector without comparing every object with every selector: each selector
 * is filed under its scope (e.g. stack and namespace) and one of its label pairs, so a lookup visits
 * only selectors sharing a label with the pods (plus empty selectors, which match every pod in scope).
 * Keeps rules such as "a PDB selects each workload" linear in the number of objects.
 */
export class SelectorIndex<T> {
  private readonly buckets = new Map<string, { order: number; item: T; selector: Record<string, string> }[]>();
  private size = 0;

  add(scope: string, selector: Record<string, string>, item: T): void {
    const first = Object.keys(selector).sort()[0];
    const key = first === undefined ? `${scope}\u0000` : `${scope}\u0000${first}\u0000${selector[first]}`;
    const bucket = this.buckets.get(key) ?? [];
    if (bucket.length === 0) this.buckets.set(key, bucket);
    bucket.push({ order: this.size++, item, selector });
  }

  /** Items in `scope` whose selector matches `labels`, in the order they were added. */
  matching(scope: string, labels: Record<string, string>): T[] {
    const candidates = [...(this.buckets.get(`${scope}\u0000`) ?? [])];
    for (const [k, v] of Object.entries(labels)) candidates.push(...(this.buckets.get(`${scope}\u0000${k}\u0000${v}`) ?? []));
    return candidates
      .filter((c) => selects(c.selector, labels))
      .sort((a, b) => a.order - b.order)
      .map((c) => c.item);
  }
}

/** A key of several parts that cannot collide (names never hold NUL). */
export function scopeKey(...parts: (string | undefined)[]): string {
  return parts.map((p) => p ?? '\u0001').join('\u0000');
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
        // A kubernetes_manifest carries any kind, custom resources included: kind and metadata are in the object.
        const manifest = type === MANIFEST_TYPE ? block(body['manifest']) : undefined;
        const metadata = block((manifest ?? body)['metadata']) ?? {};
        const name = typeof metadata['name'] === 'string' ? metadata['name'] : id;
        const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
        const kind = manifest && typeof manifest['kind'] === 'string' ? manifest['kind'] : kindOf(type);
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
  // Indexes built once per run, so each rule is linear in the number of objects.
  const kinds = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const list = kinds.get(o.kind) ?? [];
    if (list.length === 0) kinds.set(o.kind, list);
    list.push(o);
  }
  const workloadsByAddress = new Map<string, Workload>();
  for (const w of workloads) if (!workloadsByAddress.has(w.address)) workloadsByAddress.set(w.address, w);
  // The first HPA (in model order) targeting a kind/name in a stack and namespace.
  const hpas = new Map<string, K8sObject>();
  for (const h of kinds.get('HorizontalPodAutoscaler') ?? []) {
    const ref = block(block(h.body['spec'])?.['scale_target_ref']);
    const key = scopeKey(h.stack, h.namespace, String(ref?.['kind']), String(ref?.['name']));
    if (!hpas.has(key)) hpas.set(key, h);
  }
  const hpaFor = (w: Workload) => hpas.get(scopeKey(w.stack, w.namespace, w.kind, w.name));
  return {
    objects,
    workloads,
    byKind: (kind) => [...(kinds.get(kind) ?? [])],
    workloadAt: (address) => workloadsByAddress.get(address),
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
