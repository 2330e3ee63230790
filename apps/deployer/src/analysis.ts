/**
 * Release analysis as pure functions: which checks watch a release, and what a measured
 * value means. The runner (analysis-runner.ts) only adds time and Prometheus.
 */
import type { AbsencePolicy, AnalysisChecks, AnalysisPolicy, Environment, Service } from '@cios/platform-spec';
import { byCodePoint, namespaceFor } from '@cios/platform-spec';

export type Verdict = 'pass' | 'fail' | 'inconclusive';
/** What a check concludes when it has no data or too little traffic: "wait" keeps watching (inconclusive). */
export type Absence = AbsencePolicy;
export type CheckKind = keyof AnalysisChecks;

export interface Check {
  readonly name: string;
  readonly service: string;
  readonly kind: CheckKind;
  readonly query: string;
  /** Counts requests in the window; absent for checks that do not depend on traffic. */
  readonly requestsQuery?: string;
  readonly comparator: 'max' | 'min';
  readonly threshold: number;
  readonly window: string;
  readonly minRequests: number;
  readonly onNoData: Absence;
  readonly onLowTraffic: Absence;
  /** Where the threshold comes from, for people reading the evidence. */
  readonly basis: string;
}

export interface Measurement {
  readonly value: number | null;
  readonly requests: number | null;
  /** A query that could not run (Prometheus down): judged as no data, by the check's no-data policy. */
  readonly error?: string;
}

export interface CheckResult {
  readonly verdict: Verdict;
  readonly reason: string;
}

/** Error budget for a service without an availability SLO. */
const DEFAULT_ERROR_BUDGET = 0.01;

const ABSENCE_VERDICT: Record<Absence, Verdict> = { fail: 'fail', wait: 'inconclusive', pass: 'pass' };

export function evaluateCheck(check: Check, m: Measurement): CheckResult {
  // A failed query tells nothing, exactly like no data: a dead service must not pass because its Prometheus is down too.
  if (m.error !== undefined) return { verdict: ABSENCE_VERDICT[check.onNoData], reason: `query failed, judged as no data (on no data: ${check.onNoData}): ${m.error}` };
  if (check.requestsQuery !== undefined) {
    if (m.requests === null) {
      return { verdict: ABSENCE_VERDICT[check.onNoData], reason: `no request data for ${check.service} in ${check.window} (on no data: ${check.onNoData})` };
    }
    if (m.requests < check.minRequests) {
      return {
        verdict: ABSENCE_VERDICT[check.onLowTraffic],
        reason: `${formatNumber(m.requests)} requests in ${check.window}, fewer than the ${check.minRequests} needed (on low traffic: ${check.onLowTraffic})`,
      };
    }
  }
  if (m.value === null) {
    return { verdict: ABSENCE_VERDICT[check.onNoData], reason: `no data for ${check.kind} (on no data: ${check.onNoData})` };
  }
  const ok = check.comparator === 'max' ? m.value <= check.threshold : m.value >= check.threshold;
  const op = check.comparator === 'max' ? '≤' : '≥';
  return {
    verdict: ok ? 'pass' : 'fail',
    reason: `${check.kind} ${formatNumber(m.value)} ${ok ? '' : 'not '}${op} ${formatNumber(check.threshold)}`,
  };
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, '');
}

/** Worst of a round: any failure fails it; otherwise anything unknown keeps it inconclusive. */
export function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.length === 0 || verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** Query window: two intervals so every round sees at least two scrapes of fresh data. */
export function windowFor(policy: AnalysisPolicy): string {
  return `${Math.max(2 * policy.intervalSeconds, 4)}s`;
}

function selector(service: string, namespace: string, extra = ''): string {
  return `{service="${service}",namespace="${namespace}"${extra}}`;
}

export function requestsQuery(service: string, namespace: string, window: string): string {
  return `sum(increase(http_requests_total${selector(service, namespace)}[${window}]))`;
}

export function errorRatioQuery(service: string, namespace: string, window: string): string {
  // `or vector(0)`: a service with traffic but no 5xx series has a ratio of 0, not "no data".
  return `(sum(rate(http_requests_total${selector(service, namespace, ',code=~"5.."')}[${window}])) or vector(0)) / sum(rate(http_requests_total${selector(service, namespace)}[${window}]))`;
}

export function slowRatioQuery(service: string, namespace: string, window: string, thresholdMs: number): string {
  const le = String(thresholdMs / 1000);
  return `1 - (sum(rate(http_request_duration_seconds_bucket${selector(service, namespace, `,le="${le}"`)}[${window}])) / sum(rate(http_request_duration_seconds_count${selector(service, namespace)}[${window}])))`;
}

export interface CheckOverrides {
  readonly onNoData?: Partial<Record<CheckKind, Absence>>;
  readonly onLowTraffic?: Partial<Record<CheckKind, Absence>>;
}

/** A check kind's settings after the environment's analysis policy and any code overrides. */
interface KindSettings {
  readonly minRequests: number;
  readonly onNoData: Absence;
  readonly onLowTraffic: Absence;
  /** Where the absence policy and the request guard come from, appended to each check's basis. */
  readonly guard: string;
}

function kindSettings(policy: AnalysisPolicy, kind: CheckKind, overrides: CheckOverrides): KindSettings {
  const configured = policy.checks[kind];
  const minRequests = configured.minRequests ?? policy.minRequests;
  const onNoData = overrides.onNoData?.[kind] ?? configured.onNoData;
  const onLowTraffic = overrides.onLowTraffic?.[kind] ?? configured.onLowTraffic;
  const traffic = minRequests > 0 ? `; below ${minRequests} requests: ${onLowTraffic}` : '';
  return { minRequests, onNoData, onLowTraffic, guard: `no data: ${onNoData}${traffic} (analysis.checks.${kind})` };
}

/**
 * Per service: availability (the fraction of scrape targets up; nothing up is a failure, so a dead
 * service never passes for lack of errors), error ratio against the availability SLO's budget, and
 * the burn rate of each SLO. Thresholds, the request guard and what no data or too little traffic
 * means come from the environment's `analysis.checks`; code overrides (tests) win over them.
 */
export function checksFor(env: Environment, services: readonly Service[], overrides: CheckOverrides = {}): Check[] {
  const policy = env.analysis;
  const window = windowFor(policy);
  const availability = kindSettings(policy, 'availability', overrides);
  const errorRatio = kindSettings(policy, 'error_ratio', overrides);
  const burnRate = kindSettings(policy, 'burn_rate', overrides);
  const checks: Check[] = [];
  for (const service of [...services].sort((a, b) => byCodePoint(a.name, b.name))) {
    const ns = namespaceFor(env, service.tier);
    const requests = requestsQuery(service.name, ns, window);
    // Traffic checks always count requests (no request data is "no data"); availability only when guarded.
    const guarded = (s: KindSettings, countsRequests: boolean) => ({
      ...(countsRequests || s.minRequests > 0 ? { requestsQuery: requests } : {}),
      window,
      minRequests: s.minRequests,
      onNoData: s.onNoData,
      onLowTraffic: s.onLowTraffic,
    });
    const upThreshold = policy.checks.availability.threshold;
    checks.push({
      name: `availability:${service.name}`,
      service: service.name,
      kind: 'availability',
      // avg, not min: a threshold below 1 tolerates some targets down; at 1 both mean "all up".
      query: `avg(up${selector(service.name, ns)})`,
      comparator: 'min',
      threshold: upThreshold,
      ...guarded(availability, false),
      basis: `${upThreshold === 1 ? 'every scrape target' : `at least ${formatNumber(upThreshold * 100)}% of the scrape targets`} of the service must be up; ${availability.guard}`,
    });
    const availabilitySlo = service.slos.find((s) => s.sli === 'availability');
    const budget = availabilitySlo ? 1 - availabilitySlo.objective / 100 : DEFAULT_ERROR_BUDGET;
    const configuredRatio = policy.checks.error_ratio.threshold;
    checks.push({
      name: `error_ratio:${service.name}`,
      service: service.name,
      kind: 'error_ratio',
      query: errorRatioQuery(service.name, ns, window),
      comparator: 'max',
      threshold: roundRatio(configuredRatio ?? budget),
      ...guarded(errorRatio, true),
      basis: `${
        configuredRatio !== undefined
          ? `analysis.checks.error_ratio.threshold ${formatNumber(configuredRatio)}`
          : availabilitySlo
            ? `error budget of SLO ${availabilitySlo.name} (${availabilitySlo.objective}%)`
            : `no availability SLO: default budget ${DEFAULT_ERROR_BUDGET * 100}%`
      }; ${errorRatio.guard}`,
    });
    const burnThreshold = policy.checks.burn_rate.threshold;
    for (const slo of service.slos) {
      const sloBudget = 1 - slo.objective / 100;
      const bad = slo.sli === 'availability' ? errorRatioQuery(service.name, ns, window) : slowRatioQuery(service.name, ns, window, slo.thresholdMs);
      checks.push({
        name: `burn_rate:${service.name}:${slo.name}`,
        service: service.name,
        kind: 'burn_rate',
        query: `(${bad}) / ${roundRatio(sloBudget)}`,
        comparator: 'max',
        threshold: burnThreshold,
        ...guarded(burnRate, true),
        basis: `SLO ${slo.name} ${slo.objective}% (${slo.sli}${slo.sli === 'latency' ? ` < ${slo.thresholdMs}ms` : ''}), burn-rate threshold ${formatNumber(burnThreshold)} (analysis.checks.burn_rate.threshold); ${burnRate.guard}`,
      });
    }
  }
  return checks;
}

function roundRatio(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** Worst case from a breach to the rollback being applied: the number `plan` promises. */
export function worstCaseRollbackSeconds(policy: AnalysisPolicy, applyEstimateSeconds: number): number {
  return policy.intervalSeconds * (policy.failuresAllowed + 1) + applyEstimateSeconds;
}

export interface RoundState {
  readonly consecutiveFailures: number;
  readonly rounds: number;
  readonly passes: number;
  readonly fails: number;
  readonly inconclusive: number;
}

export const initialRoundState: RoundState = { consecutiveFailures: 0, rounds: 0, passes: 0, fails: 0, inconclusive: 0 };

/** Folds one round's verdict in; `rollback` becomes true once failures exceed what the policy allows. */
export function nextRoundState(state: RoundState, verdict: Verdict, policy: AnalysisPolicy): { state: RoundState; rollback: boolean } {
  const s: RoundState = {
    rounds: state.rounds + 1,
    passes: state.passes + (verdict === 'pass' ? 1 : 0),
    fails: state.fails + (verdict === 'fail' ? 1 : 0),
    inconclusive: state.inconclusive + (verdict === 'inconclusive' ? 1 : 0),
    // An inconclusive round neither breaks nor extends a failure streak.
    consecutiveFailures: verdict === 'fail' ? state.consecutiveFailures + 1 : verdict === 'pass' ? 0 : state.consecutiveFailures,
  };
  return { state: s, rollback: s.consecutiveFailures > policy.failuresAllowed };
}

/** The bake's overall verdict once it ran to the end without a rollback. */
export function finalVerdict(state: RoundState): Verdict {
  if (state.passes === 0) return state.fails > 0 ? 'fail' : 'inconclusive';
  return state.consecutiveFailures > 0 ? 'inconclusive' : 'pass';
}
