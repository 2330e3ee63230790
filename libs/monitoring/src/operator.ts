import { monitoringNamespaceFor, type Environment } from '@cios/platform-spec';
import type { ResolvedService } from './model.js';
import type { RuleFile } from './rule-types.js';

const LABELS = { 'app.kubernetes.io/part-of': 'cios', 'app.kubernetes.io/managed-by': 'cios-monitoring' };

/**
 * A ServiceMonitor selecting the service's Kubernetes Service by `app.kubernetes.io/name` on its "http"
 * port, relabelling so the series carry `service` and `namespace` exactly as with the plain scrape config.
 */
export function serviceMonitor(environment: Environment, s: ResolvedService): unknown {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: s.service.name, namespace: s.namespace, labels: { ...LABELS, 'app.kubernetes.io/name': s.service.name } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': s.service.name } },
      namespaceSelector: { matchNames: [s.namespace] },
      endpoints: [
        {
          port: 'http',
          path: s.service.metricsPath,
          relabelings: [
            { sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], targetLabel: 'service', action: 'replace' },
          ],
        },
      ],
    },
  };
}

/** A rule file as a PrometheusRule in the monitoring namespace. */
export function prometheusRule(environment: Environment, file: RuleFile): unknown {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: `cios-${file.name}`,
      namespace: monitoringNamespaceFor(environment),
      labels: { ...LABELS, 'cios.ca/environment': environment.name },
    },
    spec: { groups: file.groups },
  };
}
