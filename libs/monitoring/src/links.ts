import { createHash } from 'node:crypto';
import type { SloPolicy } from '@cios/platform-spec';

/** Grafana refuses longer dashboard uids. */
export const GRAFANA_UID_MAX_LENGTH = 40;

/**
 * Stable Grafana uid of a dashboard of one environment: `cios-<environment>-<name>`. The environment is part of
 * it because one Grafana may hold every environment's dashboards, and equal uids overwrite each other. A uid
 * over 40 characters is cut and ends in a hash of the whole, so two long names never share one.
 */
function environmentUid(environment: string, name: string): string {
  const uid = `cios-${environment}-${name}`;
  if (uid.length <= GRAFANA_UID_MAX_LENGTH) return uid;
  const hash = createHash('sha256').update(`${environment}/${name}`).digest('hex').slice(0, 8);
  return `${uid.slice(0, GRAFANA_UID_MAX_LENGTH - hash.length - 1)}-${hash}`;
}

/** Uid of a service's dashboard in one environment. */
export function dashboardUid(environment: string, service: string): string {
  return environmentUid(environment, service);
}

/** Uid of an environment's overview dashboard. */
export function overviewDashboardUid(environment: string): string {
  return environmentUid(environment, 'overview');
}

export function dashboardUrl(policy: Pick<SloPolicy, 'grafanaBaseUrl'>, service: string, environment: string): string {
  return `${trimSlash(policy.grafanaBaseUrl)}/d/${dashboardUid(environment, service)}`;
}

export function overviewDashboardUrl(policy: Pick<SloPolicy, 'grafanaBaseUrl'>, environment: string): string {
  return `${trimSlash(policy.grafanaBaseUrl)}/d/${overviewDashboardUid(environment)}`;
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
