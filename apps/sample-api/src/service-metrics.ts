import type { Behaviour } from './behaviour.js';
import { HTTP_DURATION_BUCKETS, Registry, type Counter, type Gauge, type Histogram } from './metrics.js';

/** Methods kept as label values; anything else is "OTHER", so odd clients cannot grow the series count. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Route templates of the traffic endpoints, the `route` label values besides "unmatched". */
export const TRAFFIC_ROUTES: readonly string[] = ['/api/cases', '/api/cases/:id'];

export interface ServiceMetrics {
  readonly registry: Registry;
  readonly requests: Counter;
  readonly duration: Histogram;
  /** Traffic requests received and not yet answered; shows a drain in progress. */
  readonly inFlight: Gauge;
  record(labels: { code: string; method: string; route: string }, seconds: number): void;
  setBehaviour(behaviour: Behaviour): void;
}

/**
 * The metrics contract of every CIOS service (http_requests_total, http_request_duration_seconds) plus
 * process_start_time_seconds, build info and the injected behaviour, so a dashboard shows why errors appear.
 */
export function createServiceMetrics(options: { version: string; commit: string; startTimeSeconds: number }): ServiceMetrics {
  const registry = new Registry();
  const requests = registry.counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by status code, method and route template (health, readiness, metrics and admin excluded).',
    labelNames: ['code', 'method', 'route'],
  });
  const duration = registry.histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response finished, in seconds, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: HTTP_DURATION_BUCKETS,
  });
  const inFlight = registry.gauge({ name: 'sample_api_requests_in_flight', help: 'Traffic requests received and not yet answered.' });
  inFlight.init();
  registry.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.' }).set({}, options.startTimeSeconds);
  registry
    .gauge({ name: 'sample_api_build_info', help: 'Build of the running sample-api; the value is always 1.', labelNames: ['version', 'commit'] })
    .set({ version: options.version, commit: options.commit }, 1);
  const ratio = registry.gauge({ name: 'sample_api_injected_error_ratio', help: 'Share of traffic requests the behaviour setting fails on purpose.' });
  const latency = registry.gauge({ name: 'sample_api_injected_latency_seconds', help: 'Latency the behaviour setting adds to every traffic request.' });

  // Series of the real routes exist from the start at 0, so the first error shows in rate()/increase().
  for (const route of TRAFFIC_ROUTES) {
    duration.init({ method: 'GET', route });
    for (const code of ['200', '500']) requests.init({ code, method: 'GET', route });
  }

  return {
    registry,
    requests,
    duration,
    inFlight,
    record(labels, seconds) {
      requests.inc(labels);
      duration.observe({ method: labels.method, route: labels.route }, seconds);
    },
    setBehaviour(behaviour) {
      ratio.set({}, behaviour.errorRatio);
      latency.set({}, behaviour.latencyMs / 1000);
    },
  };
}
