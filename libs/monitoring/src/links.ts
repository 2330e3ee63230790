import { createHash } from 'node:crypto';
import type { SloPolicy } from '@cios/platform-spec';

/** Grafana refuses longer dashboard uids. */
export const GRAFANA_UID_MAX_LENGTH = 40;

/**
 * Stable Grafana uids, one per dashboard of one environment. The environment is part of each because one Grafana
 * may hold every environment's dashboards, and equal uids overwrite each other. Environment and service names
 * are DNS-1123 labels, which never hold `_`, so `_` separates them unambiguously: `cios_<env>` is the overview and
 * `cios_<env>_<service>` a service's dashboard (a service named "overview" or an environment "prod-eu" beside
 * "prod" cannot collide). Uids over Grafana's 40 characters become `ciosh<hash>_<readable start>`: that family
 * never begins with `cios_`, and the hash is of the whole name, so two long names never share one.
 */
function environmentUid(parts: readonly string[]): string {
  const uid = ['cios', ...parts].join('_');
  if (uid.length <= GRAFANA_UID_MAX_LENGTH) return uid;
  const hash = createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 12);
  const prefix = `ciosh${hash}_`;
  return `${prefix}${parts.join('_').slice(0, GRAFANA_UID_MAX_LENGTH - prefix.length)}`;
}

/** Uid of a service's dashboard in one environment. */
export function dashboardUid(environment: string, service: string): string {
  return environmentUid([environment, service]);
}

/** Uid of an environment's overview dashboard. */
export function overviewDashboardUid(environment: string): string {
  return environmentUid([environment]);
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
