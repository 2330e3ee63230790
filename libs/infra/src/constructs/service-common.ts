import type { ITerraformDependable } from '../cdktf.js';
import type { Environment, Service } from '@cios/platform-spec';

/** A service allowed to call another: its name and the namespace it runs in. */
export interface Caller {
  readonly name: string;
  readonly namespace: string;
}

/** What every workload construct needs to know about where it runs. */
export interface WorkloadProps {
  /** The service as the catalog declares it. */
  readonly service: Service;
  /** The environment it is rendered for: replicas, scaling factors and prod-only rules follow from it. */
  readonly environment: Environment;
  /** Namespace the service's objects go in (the tier's namespace). */
  readonly namespace: string;
  /** Region of the cluster this stack targets; pods are pinned to it. */
  readonly region: string;
  /** Full image reference to run (from the release, or `<repository>:unreleased`). */
  readonly image: string;
  /** Value of app.kubernetes.io/version. */
  readonly version: string;
  /**
   * Services whose `dependsOn` names this one; only they (plus monitoring and, when public,
   * the ingress controller) may open connections to it.
   * @default [] — nothing but monitoring may connect, the safe starting point.
   */
  readonly callers?: readonly Caller[];
  /**
   * Namespace of the Prometheus that scrapes the metrics endpoint.
   * @default `<env>-monitoring`, from the environment spec.
   */
  readonly monitoringNamespace: string;
  /**
   * Namespace of the ingress controller, admitted only when the service is public.
   * @default "ingress-nginx", from the environment spec.
   */
  readonly ingressNamespace: string;
  /**
   * Public host name, when the service has an ingress.
   * @default undefined — no Ingress, the service stays cluster-internal.
   */
  readonly host?: string;
  /**
   * Resources that must exist first, e.g. the namespace when it is created in the same stack.
   * @default [] — namespaces normally live in the platform stack, applied before.
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export function ingressRulesFor(props: WorkloadProps, extraPodLabels: Record<string, string>[] = []) {
  const { service } = props;
  const from = [
    ...(props.callers ?? []).map((caller) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': caller.namespace } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': caller.name } },
    })),
    ...extraPodLabels.map((labels) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.namespace } },
      podSelector: { matchLabels: labels },
    })),
  ];
  const port = [{ port: String(service.port), protocol: 'TCP' }];
  const rules = [];
  if (from.length > 0) rules.push({ from, ports: port });
  if (service.ingress) {
    rules.push({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.ingressNamespace } } }],
      ports: port,
    });
  }
  rules.push({
    from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.monitoringNamespace } } }],
    ports: port,
  });
  return rules;
}

export function metricsAnnotations(service: Service): Record<string, string> {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(service.port),
    'prometheus.io/path': service.metricsPath,
  };
}
