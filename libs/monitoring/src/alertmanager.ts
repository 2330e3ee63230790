import { primaryCluster, type Cluster, type Environment, type Platform } from '@cios/platform-spec';
import { isStandby } from './model.js';

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
 * Production routes: pages to the pager, tickets to the ticket system, other environments to chat. On a
 * standby the pager route is gone and pages become tickets: an idle cluster's SLO burn and outages are
 * work for the next business day, not for whoever is on call, until a failover makes it the primary.
 */
function routes(prodMatcher: string, standby: boolean): unknown[] {
  const pager = { receiver: RECEIVERS.pager, matchers: [prodMatcher, 'severity="page"'], group_wait: '10s', repeat_interval: '1h' };
  const ticketSeverities = standby ? 'severity=~"page|ticket"' : 'severity="ticket"';
  const ticket = { receiver: RECEIVERS.ticket, matchers: [prodMatcher, ticketSeverities], repeat_interval: '24h' };
  const chat = { receiver: RECEIVERS.chat, matchers: [prodMatcher.replace('=~', '!~')] };
  return standby ? [ticket, chat] : [pager, ticket, chat];
}

function pagerReceiver(secrets: string): unknown {
  return {
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
  };
}

/**
 * Alertmanager configuration: production pages go to the pager, production tickets to the ticket
 * system, everything else to chat; a page silences the ticket of the same SLO, a cluster outage
 * silences every per-service alert of its environment. For a standby `cluster` (role secondary) the
 * config has no pager receiver at all: whatever reaches that Alertmanager can at most open a ticket.
 */
export function alertmanagerConfig(platform: Platform, environment: Environment, options: AlertmanagerOptions = {}, cluster: Cluster = primaryCluster(environment)): unknown {
  const secrets = (options.secretsDir ?? '/etc/alertmanager/secrets/alertmanager-receivers').replace(/\/+$/, '');
  const prod = prodNames(platform);
  const prodMatcher = prod.length > 0 ? `environment=~${JSON.stringify(prod.join('|'))}` : 'environment=~"^$"';
  const ticketUrl =
    options.ticketUrl ?? `http://alert-ticket-bridge.${environment.monitoringNamespace ?? `${environment.name}-monitoring`}.svc:8080/alerts`;
  const standby = isStandby(cluster);
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.chat,
      group_by: ['alertname', 'environment', 'service', 'slo'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: routes(prodMatcher, standby),
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
      ...(standby ? [] : [pagerReceiver(secrets)]),
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

/**
 * What `amtool config routes test` must answer for representative alerts; the validator runs every case.
 * For a standby `cluster` the alerts carry its `cluster` label, as its rules write them, and production
 * pages must reach the ticket receiver, never the pager.
 */
export function routeExpectations(platform: Platform, cluster?: Cluster): RouteExpectation[] {
  const prod = prodNames(platform);
  const nonProd = platform.environments
    .filter((e) => e.kind !== 'prod')
    .map((e) => e.name)
    .sort();
  const standby = cluster !== undefined && isStandby(cluster) ? cluster : undefined;
  const scope = (environment: string): Record<string, string> => (standby ? { environment, cluster: standby.name } : { environment });
  const cases: RouteExpectation[] = [];
  for (const env of prod) {
    cases.push({ labels: { ...scope(env), severity: 'page', alertname: 'SloBurnRatePageFast' }, receivers: [standby ? RECEIVERS.ticket : RECEIVERS.pager] });
    cases.push({ labels: { ...scope(env), severity: 'ticket', alertname: 'SloBurnRateTicketSlow' }, receivers: [RECEIVERS.ticket] });
    cases.push({ labels: { ...scope(env), severity: 'info', alertname: 'Info' }, receivers: [RECEIVERS.chat] });
  }
  for (const env of nonProd) {
    cases.push({ labels: { ...scope(env), severity: 'page', alertname: 'SloBurnRatePageFast' }, receivers: [RECEIVERS.chat] });
    cases.push({ labels: { ...scope(env), severity: 'ticket', alertname: 'BackupOverdue' }, receivers: [RECEIVERS.chat] });
  }
  return cases;
}
