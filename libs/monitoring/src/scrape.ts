import { monitoringNamespaceFor, namespaceFor, type Environment, type SloPolicy, type Tier } from '@cios/platform-spec';

export const SERVICE_PODS_JOB = 'cios-services';

/** Namespaces of every tier of an environment, sorted. */
export function serviceNamespaces(environment: Environment): string[] {
  const tiers: Tier[] = ['core', 'ai', 'data', 'edge'];
  return [...new Set(tiers.map((t) => namespaceFor(environment, t)))].sort();
}

/**
 * prometheus.yml for a plain Prometheus: pods annotated `prometheus.io/scrape` (the infra constructs add the
 * annotations) get `service` from `app.kubernetes.io/name` and `namespace`; kube-state-metrics and the
 * kubelets feed the Kubernetes alerts. Credentials are the service account's mounted files.
 */
export function prometheusConfig(environment: Environment, policy: SloPolicy, alertmanagerUrl?: string): unknown {
  const saDir = '/var/run/secrets/kubernetes.io/serviceaccount';
  const monitoring = monitoringNamespaceFor(environment);
  return {
    global: {
      scrape_interval: policy.scrapeInterval,
      evaluation_interval: policy.evaluationInterval,
      external_labels: { environment: environment.name },
    },
    rule_files: ['rules/*.rules.yml'],
    alerting: {
      alertmanagers: [
        { static_configs: [{ targets: [alertmanagerUrl ?? `alertmanager.${monitoring}.svc:9093`] }] },
      ],
    },
    scrape_configs: [
      {
        job_name: SERVICE_PODS_JOB,
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: serviceNamespaces(environment) } }],
        relabel_configs: [
          { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: '(.+)', action: 'keep' },
          {
            source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
            regex: '(.+)',
            target_label: '__metrics_path__',
          },
          {
            source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
            regex: '([^:]+)(?::\\d+)?;(\\d+)',
            replacement: '$1:$2',
            target_label: '__address__',
          },
          { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'service' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
      {
        job_name: 'kube-state-metrics',
        honor_labels: true,
        static_configs: [{ targets: ['kube-state-metrics.kube-system.svc:8080'] }],
      },
      {
        job_name: 'kubelet',
        scheme: 'https',
        tls_config: { ca_file: `${saDir}/ca.crt` },
        authorization: { credentials_file: `${saDir}/token` },
        kubernetes_sd_configs: [{ role: 'node' }],
      },
    ],
  };
}
