import {
  SpecError,
  byCodePoint,
  durationMs,
  formatPath,
  namespaceFor,
  clusterNamed,
  replicasIn,
  runsIn,
  type BurnTier,
  type Cluster,
  type Environment,
  type Platform,
  type Service,
  type Slo,
  type SloPolicy,
  type SloPolicyInput,
  type SpecProblem,
} from '@cios/platform-spec';
import { Decimal, formatNumber } from './decimal.js';
import { effectivePolicy } from './policy.js';

/** A burn tier as one SLO uses it: overrides applied, threshold computed exactly. */
export interface ResolvedTier extends BurnTier {
  /** Error ratio both windows must exceed: factor × (1 − objective). */
  readonly threshold: Decimal;
}

/** Everything needed to write one SLO's rules, tests and panels. */
export interface ResolvedSlo {
  readonly service: Service;
  readonly slo: Slo;
  readonly environment: Environment;
  readonly namespace: string;
  /** Objective as a ratio (0.999). */
  readonly objective: Decimal;
  /** Error budget as a ratio (0.001). */
  readonly budget: Decimal;
  /** Enabled tiers only, in policy order. */
  readonly tiers: readonly ResolvedTier[];
  /** Every window the enabled tiers read, shortest first, deduplicated. */
  readonly windows: readonly string[];
  readonly minRequests: number;
  readonly alertOnAbsent: boolean;
  /** Latency SLOs: the histogram bucket's `le` label value. */
  readonly le?: string;
}

/** A service as monitored in one environment. */
export interface ResolvedService {
  readonly service: Service;
  readonly namespace: string;
  readonly replicas: number;
  readonly slos: readonly ResolvedSlo[];
}

export interface MonitoringModel {
  readonly environment: Environment;
  /** The cluster whose Prometheus and Alertmanager load this configuration: the environment's primary unless named. */
  readonly cluster: Cluster;
  readonly policy: SloPolicy;
  readonly services: readonly ResolvedService[];
}

/**
 * Resolves the policy (`policyOverride` over the platform's sloPolicy over the defaults, see effectivePolicy)
 * and every SLO of the services that run in one environment (`runsIn`), collecting every problem (impossible tiers, thresholds
 * off the histogram's buckets, unknown tier overrides) into one SpecError. `clusterName` names the cluster
 * the configuration is for (default: the environment's primary).
 */
export function resolveModel(
  platform: Platform,
  environmentName: string,
  policyOverride?: SloPolicyInput,
  policySource?: string,
  clusterName?: string,
): MonitoringModel {
  const environment = platform.environments.find((e) => e.name === environmentName);
  if (!environment) {
    throw new Error(
      `unknown environment "${environmentName}"; known environments: ${platform.environments.map((e) => e.name).join(', ')}`,
    );
  }
  const cluster = clusterNamed(environment, clusterName);
  const policy = effectivePolicy(platform, policyOverride, policySource);
  const problems: SpecProblem[] = [];
  // Only what runs here gets rules, alerts, tests and dashboards: a service kept out of this environment would
  // otherwise alert on metrics that can never exist. Paths keep the catalog's index, so errors name its entry.
  const services = platform.services.flatMap((service, i): ResolvedService[] => {
    if (!runsIn(service, environment)) return [];
    const namespace = namespaceFor(environment, service.tier);
    const slos = service.slos.flatMap((slo, j) => {
      const resolved = resolveSlo(service, slo, environment, namespace, policy, ['services', i, 'slos', j], problems);
      return resolved ? [resolved] : [];
    });
    return [{ service, namespace, replicas: replicasIn(environment, service.replicas), slos }];
  });
  if (problems.length > 0) throw new SpecError(`platform SLOs (under the SLO policy in force${policySource ? `, from ${policySource}` : ''})`, problems);
  return { environment, cluster, policy, services };
}

/** A secondary cluster stands by for disaster recovery: it serves no traffic, so nothing it sees may page. */
export function isStandby(cluster: Cluster): boolean {
  return cluster.role === 'secondary';
}

/**
 * The labels every alert carries besides its own: `environment`, and on a standby `cluster`, which tells its
 * tickets from the primary's. The primary's alerts keep exactly the labels they had before standbys were
 * monitored: a new label would change every alert's identity and orphan the silences written against them.
 */
export function alertScopeLabels(model: Pick<MonitoringModel, 'environment' | 'cluster'>): Readonly<Record<string, string>> {
  return { environment: model.environment.name, ...(isStandby(model.cluster) ? { cluster: model.cluster.name } : {}) };
}

function resolveSlo(
  service: Service,
  slo: Slo,
  environment: Environment,
  namespace: string,
  policy: SloPolicy,
  path: PropertyKey[],
  problems: SpecProblem[],
): ResolvedSlo | undefined {
  const before = problems.length;
  const objective = Decimal.of(slo.objective).shiftLeft(2);
  const budget = Decimal.of(1).minus(objective);
  const overrides = slo.alerting?.tiers ?? {};
  const known = new Set(policy.tiers.map((t) => t.name));
  for (const name of Object.keys(overrides).sort()) {
    if (!known.has(name)) {
      problems.push({
        path: formatPath([...path, 'alerting', 'tiers', name]),
        message: `no burn tier "${name}" in the SLO policy (tiers: ${[...known].join(', ')})`,
      });
    }
  }
  const tiers: ResolvedTier[] = [];
  for (const base of policy.tiers) {
    const tier = { ...base, ...stripUndefined(overrides[base.name] ?? {}) };
    if (!tier.enabled) continue;
    const forMs = durationMs(tier.for);
    if (forMs > 0 && forMs < durationMs(policy.evaluationInterval)) {
      problems.push({
        path: formatPath([...path, 'alerting', 'tiers', tier.name, 'for']),
        message: `${tier.for} is shorter than the SLO policy's evaluationInterval ${policy.evaluationInterval}: the alert would fire later than its for: says`,
      });
      continue;
    }
    const threshold = Decimal.of(tier.factor).times(budget);
    if (threshold.compare(1) >= 0) {
      problems.push({
        path: formatPath([...path, 'objective']),
        message:
          `SLO "${slo.name}" of ${service.name}: burn tier "${tier.name}" could never fire: it needs an error ratio above ` +
          `factor ${formatNumber(tier.factor)} × (1 − objective ${objective.toString()}) = ${threshold.toString()}, and an error ratio is at most 1; `+
          `raise the objective, lower the tier's factor in the SLO policy, or disable the tier for this SLO (alerting.tiers.${tier.name}.enabled: false)`,
      });
      continue;
    }
    tiers.push({ ...tier, threshold });
  }
  if (tiers.length === 0 && problems.length === before) {
    problems.push({ path: formatPath([...path, 'alerting', 'tiers']), message: 'every burn tier is disabled: the SLO would never alert' });
  }
  let le: string | undefined;
  if (slo.sli === 'latency') {
    const seconds = Decimal.of(slo.thresholdMs).shiftLeft(3);
    const bucket = policy.latencyBucketsSeconds.find((b) => Decimal.of(b).compare(seconds) === 0);
    if (bucket === undefined) {
      problems.push({
        path: formatPath([...path, 'thresholdMs']),
        message: `${slo.thresholdMs} ms is not a bucket of http_request_duration_seconds; use one of ${policy.latencyBucketsSeconds
          .map((b) => `${Decimal.of(b).shiftLeft(-3).toString()}`)
          .join(', ')} (ms)`,
      });
    } else {
      le = formatNumber(bucket);
    }
  }
  if (problems.length > before) return undefined;
  const windows = [...new Set(tiers.flatMap((t) => [t.shortWindow, t.longWindow]))].sort(
    (a, b) => durationMs(a) - durationMs(b) || byCodePoint(a, b),
  );
  return {
    service,
    slo,
    environment,
    namespace,
    objective,
    budget,
    tiers,
    windows,
    minRequests: slo.alerting?.minRequests ?? policy.minRequests,
    alertOnAbsent: slo.alerting?.alertOnAbsent ?? policy.alertOnAbsent,
    ...(le === undefined ? {} : { le }),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
