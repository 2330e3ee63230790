import type { Slo } from '@cios/platform-spec';

/** The request metrics every CIOS service exposes (see README: "Metrics contract"). */
export const REQUESTS_TOTAL = 'http_requests_total';
export const REQUEST_DURATION = 'http_request_duration_seconds';

/** `{a="x",b="y"}` with values escaped for PromQL string literals; keys in the given order. */
export function selector(labels: Readonly<Record<string, string>>, extra: readonly string[] = []): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${[...parts, ...extra].join(',')}}`;
}

/** Identity of a service's request series in one environment. */
export interface ServiceScope {
  readonly service: string;
  readonly namespace: string;
}

function scopeLabels(scope: ServiceScope): Record<string, string> {
  return { namespace: scope.namespace, service: scope.service };
}

/** Ratio of 5xx responses over a window, straight from the raw counter (for ad-hoc queries and the deployer). */
export function errorRatioQuery(scope: ServiceScope, window: string, extraMatchers: readonly string[] = []): string {
  const s = scopeLabels(scope);
  // `or vector(0)`: a service that never failed has no 5xx series at all, and the ratio must read 0, not nothing.
  // `> 0` on the denominator: with no requests at all there is no ratio (no sample), not 0/0 = NaN; one NaN
  // in a window makes every average over it NaN (the 30-day error budget of a service idle for 5 minutes).
  return (
    `(sum(rate(${REQUESTS_TOTAL}${selector(s, ['code=~"5.."', ...extraMatchers])}[${window}])) or vector(0))` +
    ` / (sum(rate(${REQUESTS_TOTAL}${selector(s, extraMatchers)}[${window}])) > 0)`
  );
}

/** Ratio of requests slower than `le` seconds (a histogram bucket bound) over a window. */
export function latencyErrorRatioQuery(scope: ServiceScope, le: string, window: string, extraMatchers: readonly string[] = []): string {
  const s = scopeLabels(scope);
  return (
    `1 - (sum(rate(${REQUEST_DURATION}_bucket${selector(s, [`le=${JSON.stringify(le)}`, ...extraMatchers])}[${window}]))` +
    ` / (sum(rate(${REQUEST_DURATION}_count${selector(s, extraMatchers)}[${window}])) > 0))` // no requests: no ratio, not NaN
  );
}

/** Requests per second over a window. */
export function requestRateQuery(scope: ServiceScope, window: string): string {
  return `sum(rate(${REQUESTS_TOTAL}${selector(scopeLabels(scope))}[${window}]))`;
}

/** A latency quantile (0.95 → p95) in seconds over a window. */
export function latencyQuantileQuery(scope: ServiceScope, quantile: string, window: string): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(${REQUEST_DURATION}_bucket${selector(scopeLabels(scope))}[${window}])))`;
}

/** The raw SLI error ratio of an SLO over a window. */
export function sliErrorRatioQuery(scope: ServiceScope, slo: Slo, le: string | undefined, window: string): string {
  if (slo.sli === 'availability') return errorRatioQuery(scope, window);
  if (le === undefined) throw new Error(`latency SLO "${slo.name}" has no histogram bucket`);
  return latencyErrorRatioQuery(scope, le, window);
}

/** Recorded error ratio of an SLO over a window: `slo:sli_error:ratio_rate5m{service, slo}`. */
export function sloErrorRatioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** Recorded error budget left over the SLO period, 1 = untouched, 0 = spent, negative = overspent. */
export const ERROR_BUDGET_REMAINING = 'slo:error_budget:remaining_ratio';

/** Recorded request count of a service over a window, for the low-traffic guard. */
export function requestsIncreaseRecord(window: string): string {
  return `service:http_requests:increase${window}`;
}

/** Per-pod release marker derived from the pod's `app.kubernetes.io/version` label (see README). */
export const POD_RELEASE_INFO = 'cios:pod_release_info';
/** Per-service release marker: one series per release with running pods. */
export const RELEASE_INFO = 'cios:release_info';

/** `SloBurnRatePageFast` from the tier "page-fast". */
export function burnAlertName(tierName: string): string {
  return `SloBurnRate${pascal(tierName)}`;
}

export const SLO_METRIC_ABSENT_ALERT = 'SloMetricAbsent';

export function pascal(name: string): string {
  return name
    .split('-')
    .map((p) => (p ? (p[0] as string).toUpperCase() + p.slice(1) : p))
    .join('');
}

/**
 * Error ratio of a service restricted to the pods of one release, for canary analysis:
 * joins the request counters with `cios:pod_release_info` on the pod.
 */
export function releaseErrorRatioQuery(scope: ServiceScope, release: string, window: string): string {
  const s = scopeLabels(scope);
  const join = `* on (namespace, pod) group_left () ${POD_RELEASE_INFO}${selector({ ...s, release })}`;
  return (
    `(sum(rate(${REQUESTS_TOTAL}${selector(s, ['code=~"5.."'])}[${window}]) ${join}) or vector(0))` +
    ` / (sum(rate(${REQUESTS_TOTAL}${selector(s)}[${window}]) ${join}) > 0)`
  );
}
