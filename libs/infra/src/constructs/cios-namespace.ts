import { Construct } from '../cdktf.js';
import { LimitRangeV1, NamespaceV1, NetworkPolicyV1, ResourceQuotaV1 } from '../k8s.js';
import { POD_SECURITY_REASON_ANNOTATION, platformLabels } from '../labels.js';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** Traffic a namespace accepts for all its pods, beyond what each workload's own policy admits. */
export interface NamespaceAdmission {
  /** The NetworkPolicy's name, e.g. "allow-public-web". */
  readonly name: string;
  /** Source namespaces; empty admits any source, inside the cluster or out. */
  readonly fromNamespaces: readonly string[];
  /** TCP ports; empty admits every port. */
  readonly ports: readonly number[];
}

export interface CiosNamespaceProps {
  /** The namespace's name, e.g. "prod-core". */
  readonly name: string;
  /** What lives here ("core", "data", "ingress", "monitoring"): becomes app.kubernetes.io/component. */
  readonly component: string;
  /**
   * Pod Security Admission level enforced; audit and warn are always `restricted`, so anything
   * weaker shows up in audit logs and kubectl warnings.
   * @default "restricted" — CIOS workloads need no privileges.
   */
  readonly podSecurity?: PodSecurityLevel;
  /**
   * Why the namespace enforces less than `restricted`, written on it as the annotation
   * `cios.ca/pod-security-reason` so that whoever finds the weaker label in the cluster finds the reason
   * beside it. Required with `privileged`, which lets pods use the host's namespaces, filesystem and
   * devices: such an exception must say why.
   * @default undefined — `restricted` needs no reason; `baseline` may give one.
   */
  readonly podSecurityReason?: string;
  /**
   * Totals the namespace may request and be limited to (cpu, memory, pods, PVC storage).
   * @default undefined — no ResourceQuota, only for namespaces whose content CIOS does not render.
   */
  readonly quota?: Readonly<Record<string, string>>;
  /**
   * Deny all ingress traffic unless another NetworkPolicy admits it.
   * @default true — zero trust inside the cluster; each workload opens only what it declares.
   */
  readonly defaultDeny?: boolean;
  /**
   * Namespace-wide admissions, for namespaces whose workloads CIOS does not render (the ingress
   * controller, the monitoring stack) and which would otherwise accept nothing under default deny.
   * @default [] — a CIOS workload's own NetworkPolicy admits what it declares, nothing more.
   */
  readonly admit?: readonly NamespaceAdmission[];
}

/**
 * A namespace labelled for Pod Security Admission, with a default-deny NetworkPolicy, a ResourceQuota,
 * and a LimitRange giving defaults to any container that forgets requests and limits.
 */
export class CiosNamespace extends Construct {
  readonly namespace: NamespaceV1;

  constructor(scope: Construct, id: string, props: CiosNamespaceProps) {
    super(scope, id);
    const level = props.podSecurity ?? 'restricted';
    const reason = props.podSecurityReason?.trim();
    if (level === 'privileged' && !reason) {
      throw new Error(`namespace ${props.name}: Pod Security "privileged" needs podSecurityReason saying why its pods need host access`);
    }
    const labels = platformLabels(props.name, props.component);
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: {
        name: props.name,
        ...(reason ? { annotations: { [POD_SECURITY_REASON_ANNOTATION]: reason } } : {}),
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
      },
    });
    const dependsOn = [this.namespace];

    if (props.defaultDeny ?? true) {
      new NetworkPolicyV1(this, 'default-deny', {
        metadata: { name: 'default-deny-ingress', namespace: props.name, labels },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
        dependsOn,
      });
    }

    for (const admission of props.admit ?? []) {
      const from = admission.fromNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }));
      const ports = admission.ports.map((port) => ({ port: String(port), protocol: 'TCP' }));
      new NetworkPolicyV1(this, `admit-${admission.name}`, {
        metadata: { name: admission.name, namespace: props.name, labels },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ ...(from.length > 0 ? { from } : {}), ...(ports.length > 0 ? { ports } : {}) }],
        },
        dependsOn,
      });
    }

    if (props.quota) {
      new ResourceQuotaV1(this, 'quota', {
        metadata: { name: `${props.name}-quota`, namespace: props.name, labels },
        spec: { hard: { ...props.quota } },
        dependsOn,
      });
    }

    new LimitRangeV1(this, 'limits', {
      metadata: { name: `${props.name}-limits`, namespace: props.name, labels },
      spec: {
        limit: [
          {
            type: 'Container',
            default: { cpu: '500m', memory: '512Mi' },
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            max: { cpu: '4', memory: '8Gi' },
          },
        ],
      },
      dependsOn,
    });
  }
}
