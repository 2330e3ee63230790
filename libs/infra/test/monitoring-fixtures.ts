/**
 * Monitoring input shaped like @cios/monitoring's operator format, written out by hand: libs/infra may not
 * import libs/monitoring (the deployer's tests feed the real generator's output through the same function).
 */

const LABELS = { 'app.kubernetes.io/part-of': 'cios', 'app.kubernetes.io/managed-by': 'cios-monitoring' };

/** A PrometheusRule per rule file, as `prometheusRule()` writes it, in `<env>-monitoring`. */
export function prometheusRule(env: string, file: string) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `cios-${file}`, namespace: `${env}-monitoring`, labels: { ...LABELS, 'cios.ca/environment': env } },
    spec: {
      groups: [
        {
          name: file,
          rules: [
            { record: 'slo:sli_error:ratio_rate5m', expr: 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))' },
            {
              alert: 'SloBurnRatePageFast',
              expr: 'slo:sli_error:ratio_rate1h > 0.0144',
              for: '2m',
              labels: { severity: 'page' },
              annotations: { summary: '{{ $labels.service }} burns its budget', description: 'at {{ $value | humanizePercentage }}' },
            },
          ],
        },
      ],
    },
  };
}

/** A ServiceMonitor as `serviceMonitor()` writes it, in the service's own namespace. */
export function serviceMonitor(name: string, namespace: string) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name, namespace, labels: { ...LABELS, 'app.kubernetes.io/name': name } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [{ port: 'http', path: '/metrics', relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], targetLabel: 'service', action: 'replace' }] }],
    },
  };
}

/** A Grafana dashboard using a datasource variable: `${…}` that Terraform must not interpolate. */
export function dashboard(uid: string): string {
  const panel = { type: 'timeseries', datasource: { type: 'prometheus', uid: '${datasource}' }, targets: [{ expr: 'sum(rate(http_requests_total[$__rate_interval]))', legendFormat: '%{not a directive}' }] };
  return `${JSON.stringify({ uid, title: uid, panels: [panel], templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] } }, null, 2)}\n`;
}

/** alertmanager.yml as @cios/monitoring writes it: every credential a `_file` path under the mounted Secret. */
export const ALERTMANAGER_YML = `global:
  resolve_timeout: 5m
route:
  receiver: chat
  routes:
    - receiver: pager
      matchers:
        - environment=~"prod"
        - severity="page"
receivers:
  - name: pager
    pagerduty_configs:
      - routing_key_file: /etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key
        description: "{{ .CommonAnnotations.summary }}"
  - name: ticket
    webhook_configs:
      - url: http://alert-ticket-bridge.prod-monitoring.svc:8080/alerts
        http_config:
          authorization:
            type: Bearer
            credentials_file: /etc/alertmanager/secrets/alertmanager-receivers/ticket-bridge-token
  - name: chat
    slack_configs:
      - api_url_file: /etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url
        channel: "#cios-alerts-{{ .CommonLabels.environment }}"
`;

/** The monitoring input of the small test platform (web in edge, api in core, db in data) for `env`. */
export function monitoringInput(env: string) {
  return {
    objects: [
      prometheusRule(env, 'api.slo-availability'),
      prometheusRule(env, 'api.kubernetes'),
      prometheusRule(env, 'platform'),
      serviceMonitor('api', `${env}-core`),
      serviceMonitor('web', `${env}-edge`),
    ],
    dashboards: { 'api.json': dashboard('cios-api'), 'overview.json': dashboard('cios-overview') },
    alertmanagerConfig: ALERTMANAGER_YML,
  };
}
