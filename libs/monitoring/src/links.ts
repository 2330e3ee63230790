import type { SloPolicy } from '@cios/platform-spec';

/** Stable Grafana uid of a service's dashboard: `cios-<service>` (≤ 40 characters as Grafana requires). */
export function dashboardUid(service: string): string {
  return `cios-${service}`.slice(0, 40);
}

export const OVERVIEW_DASHBOARD_UID = 'cios-overview';

export function dashboardUrl(policy: Pick<SloPolicy, 'grafanaBaseUrl'>, service: string, environment: string): string {
  return `${trimSlash(policy.grafanaBaseUrl)}/d/${dashboardUid(service)}?var-environment=${encodeURIComponent(environment)}`;
}

export function runbookUrl(policy: Pick<SloPolicy, 'runbookBaseUrl'>, service: string, slo: string): string {
  return `${trimSlash(policy.runbookBaseUrl)}/${encodeURIComponent(service)}#${encodeURIComponent(slo)}`;
}

export function kubernetesRunbookUrl(policy: Pick<SloPolicy, 'runbookBaseUrl'>, alert: string): string {
  return `${trimSlash(policy.runbookBaseUrl)}/kubernetes#${alert.toLowerCase()}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
