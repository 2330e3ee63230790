import type { Environment, Platform } from '@cios/platform-spec';

/** Where receivers find their credentials; only paths are ever written, never the secrets. */
export interface AlertmanagerOptions {
  /**
   * Directory the `alertmanager-receivers` Secret is mounted at.
   * @default "/etc/alertmanager/secrets" — prometheus-operator mounts Secrets under /etc/alertmanager/secrets/<name>.
   */
  readonly secretsDir?: string;
  /**
   * Ticketing bridge that turns alerts into tickets.
   * @default "http://alert-ticket-bridge.<monitoring namespace>.svc:8080/alerts" — an in-cluster service, so no secret in the URL.
   */
  readonly ticketUrl?: string;
}

export interface RouteExpectation {
  readonly labels: Readonly<Record<string, string>>;
  readonly receivers: readonly string[];
}

export const RECEIVERS = { pager: 'pager', ticket: 'ticket', chat: 'chat' } as const;

function prodNames(platform: Platform): string[] {
  return platform.environments
    .filter((e) => e.kind === 'prod')
    .map((e) => e.name)
    .sort();
}

/**
 * Alertmanager configuration: production pages go to the pager, production tickets to the ticket
 * system, everything else to chat; a page silences the ticket of the same SLO, a cluster outage
 * silences every per-service alert of its environment.
 */
export function alertmanagerConfig(platform: Platform, environment: Environment, options: AlertmanagerOptions = {}): unknown {
  const secrets = (options.secretsDir ?? '/etc/alertmanager/secrets/alertmanager-receivers').replace(/\/+$/, '');
  const prod = prodNames(platform);
  const prodMatcher = prod.length > 0 ? `environment=~${JSON.stringify(prod.join('|'))}` : 'environment=~"^$"';
  const ticketUrl =
    options.ticketUrl ?? `http://alert-ticket-bridge.${environment.monitoringNamespace ?? `${environment.name}-monitoring`}.svc:8080/alerts`;
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.chat,
      group_by: ['alertname', 'environment', 'service', 'slo'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        {
          receiver: RECEIVERS.pager,
          matchers: [prodMatcher, 'severity="page"'],
          group_wait: '10s',
          repeat_interval: '1h',
        },
        { receiver: RECEIVERS.ticket, matchers: [prodMatcher, 'severity="ticket"'], repeat_interval: '24h' },
        { receiver: RECEIVERS.chat, matchers: [prodMatcher.replace('=~', '!~')] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="page"', 'slo=~".+"'],
        target_matchers: ['severity="ticket"', 'slo=~".+"'],
        equal: ['environment', 'service', 'slo'],
      },
      {
        source_matchers: ['alertname="ClusterOutage"'],
        target_matchers: ['scope="service"'],
        equal: ['environment'],
      },
    ],
    receivers: [
      {
        name: RECEIVERS.pager,
        pagerduty_configs: [
          {
            routing_key_file: `${secrets}/pagerduty-routing-key`,
            severity: 'critical',
            description: '{{ .CommonAnnotations.summary }}',
            links: [{ href: '{{ .CommonAnnotations.dashboard_url }}', text: 'Dashboard' }],
            send_resolved: true,
          },
        ],
      },
      {
        name: RECEIVERS.ticket,
        webhook_configs: [
          {
            url: ticketUrl,
            send_resolved: true,
            http_config: { authorization: { type: 'Bearer', credentials_file: `${secrets}/ticket-bridge-token` } },
          },
        ],
      },
      {
        name: RECEIVERS.chat,
        slack_configs: [
          {
            api_url_file: `${secrets}/slack-webhook-url`,
            channel: '#cios-alerts-{{ .CommonLabels.environment }}',
            title: '[{{ .Status | toUpper }}] {{ .CommonAnnotations.summary }}',
            text: '{{ .CommonAnnotations.description }}\nRunbook: {{ .CommonAnnotations.runbook_url }}\nDashboard: {{ .CommonAnnotations.dashboard_url }}',
            send_resolved: true,
          },
        ],
      },
    ],
  };
}

/** What `amtool config routes test` must answer for representative alerts; the validator runs every case. */
export function routeExpectations(platform: Platform): RouteExpectation[] {
  const prod = prodNames(platform);
  const nonProd = platform.environments
    .filter((e) => e.kind !== 'prod')
    .map((e) => e.name)
    .sort();
  const cases: RouteExpectation[] = [];
  for (const env of prod) {
    cases.push({ labels: { environment: env, severity: 'page', alertname: 'SloBurnRatePageFast' }, receivers: [RECEIVERS.pager] });
    cases.push({ labels: { environment: env, severity: 'ticket', alertname: 'SloBurnRateTicketSlow' }, receivers: [RECEIVERS.ticket] });
    cases.push({ labels: { environment: env, severity: 'info', alertname: 'Info' }, receivers: [RECEIVERS.chat] });
  }
  for (const env of nonProd) {
    cases.push({ labels: { environment: env, severity: 'page', alertname: 'SloBurnRatePageFast' }, receivers: [RECEIVERS.chat] });
    cases.push({ labels: { environment: env, severity: 'ticket', alertname: 'BackupOverdue' }, receivers: [RECEIVERS.chat] });
  }
  return cases;
}
