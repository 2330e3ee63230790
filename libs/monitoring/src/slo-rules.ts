import { durationMs, formatDuration } from '@cios/platform-spec';
import { Decimal, formatNumber } from './decimal.js';
import { alertScopeLabels, type MonitoringModel, type ResolvedService, type ResolvedSlo, type ResolvedTier } from './model.js';
import {
  ERROR_BUDGET_REMAINING,
  REQUESTS_TOTAL,
  REQUEST_DURATION,
  SLO_METRIC_ABSENT_ALERT,
  burnAlertName,
  requestsIncreaseRecord,
  selector,
  sliErrorRatioQuery,
  sloErrorRatioRecord,
} from './promql.js';
import type { AlertingRule, RecordingRule, RuleGroup } from './rule-types.js';
import { dashboardUrl, runbookUrl } from './links.js';

/** Labels that identify an SLO's series. Nothing descriptive (objective, description) goes here. */
export function sloIdentity(r: ResolvedSlo): Record<string, string> {
  return { service: r.service.name, slo: r.slo.name };
}

/**
 * The rule group of one SLO: one error-ratio recording per window (shared by every tier that reads it),
 * the error budget left, then one alert per enabled tier and the optional absent-metric alert.
 * Recordings come first so that alerts in the same evaluation read fresh values.
 */
export function sloRuleGroup(model: MonitoringModel, r: ResolvedSlo): RuleGroup {
  const identity = sloIdentity(r);
  const scope = { service: r.service.name, namespace: r.namespace };
  const recordings: RecordingRule[] = r.windows.map((window) => ({
    record: sloErrorRatioRecord(window),
    expr: sliErrorRatioQuery(scope, r.slo, r.le, window),
    labels: identity,
  }));
  const base = r.windows[0] as string;
  recordings.push({
    record: ERROR_BUDGET_REMAINING,
    // Mean of the shortest window's ratio over the period: cheap (no raw 30-day range) at the cost of
    // weighting quiet and busy hours alike. The budget itself is exact.
    expr: `1 - avg_over_time(${sloErrorRatioRecord(base)}${selector(identity)}[${model.policy.period}]) / ${r.budget.toString()}`,
    labels: identity,
  });
  const alerts = r.tiers.map((tier) => burnAlert(model, r, tier));
  if (r.alertOnAbsent) alerts.push(absentAlert(model, r));
  return { name: `slo-${r.service.name}-${r.slo.name}`, rules: [...recordings, ...alerts] };
}

/** Request counts per long window, for the low-traffic guard; only for services that use it. */
export function trafficRuleGroup(s: ResolvedService): RuleGroup | undefined {
  const windows = [
    ...new Set(s.slos.filter((r) => r.minRequests > 0).flatMap((r) => r.tiers.map((t) => t.longWindow))),
  ].sort((a, b) => durationMs(a) - durationMs(b));
  if (windows.length === 0) return undefined;
  return {
    name: `slo-${s.service.name}-traffic`,
    rules: windows.map((window) => ({
      record: requestsIncreaseRecord(window),
      expr: `sum(increase(${REQUESTS_TOTAL}${selector({ namespace: s.namespace, service: s.service.name })}[${window}]))`,
      labels: { service: s.service.name },
    })),
  };
}

function burnAlert(model: MonitoringModel, r: ResolvedSlo, tier: ResolvedTier): AlertingRule {
  const identity = selector(sloIdentity(r));
  const threshold = tier.threshold.toString();
  const clauses = [
    `${sloErrorRatioRecord(tier.longWindow)}${identity} > ${threshold}`,
    `${sloErrorRatioRecord(tier.shortWindow)}${identity} > ${threshold}`,
  ];
  if (r.minRequests > 0) {
    clauses.push(`on (service) ${requestsIncreaseRecord(tier.longWindow)}${selector({ service: r.service.name })} >= ${r.minRequests}`);
  }
  const periodMs = durationMs(model.policy.period);
  const exhaustion = formatDuration(Math.round(periodMs / tier.factor / 60_000) * 60_000);
  const objectivePercent = formatNumber(r.slo.objective);
  return {
    alert: burnAlertName(tier.name),
    expr: clauses.join('\nand\n'),
    ...(durationMs(tier.for) > 0 ? { for: tier.for } : {}),
    labels: {
      severity: tier.severity,
      ...alertScopeLabels(model),
      service: r.service.name,
      slo: r.slo.name,
      sli: r.slo.sli,
      burn_tier: tier.name,
      scope: 'service',
    },
    annotations: {
      summary: `${r.service.name} is burning its ${r.slo.name} error budget ${formatNumber(tier.factor)}× too fast in ${model.environment.name}`,
      description:
        `${describeSli(r)} The error ratio over ${tier.longWindow} is {{ $value | humanizePercentage }}, ` +
        `above ${Decimal.of(threshold).shiftLeft(-2).toString()}% (${formatNumber(tier.factor)} × the ${r.budget.shiftLeft(-2).toString()}% budget) ` +
        `over both ${tier.longWindow} and ${tier.shortWindow}. At this rate the ${model.policy.period} budget of the ${objectivePercent}% objective is gone in about ${exhaustion}.`,
      runbook_url: runbookUrl(model.policy, r.service.name, r.slo.name),
      dashboard_url: dashboardUrl(model.policy, r.service.name, model.environment.name),
    },
  };
}

function absentAlert(model: MonitoringModel, r: ResolvedSlo): AlertingRule {
  const metric = r.slo.sli === 'availability' ? REQUESTS_TOTAL : `${REQUEST_DURATION}_count`;
  return {
    alert: SLO_METRIC_ABSENT_ALERT,
    expr: `absent(${metric}${selector({ namespace: r.namespace, service: r.service.name })})`,
    for: model.policy.absentFor,
    labels: {
      severity: 'ticket',
      ...alertScopeLabels(model),
      service: r.service.name,
      slo: r.slo.name,
      sli: r.slo.sli,
      scope: 'service',
    },
    annotations: {
      summary: `${r.service.name} exposes no ${metric} in ${model.environment.name}: the ${r.slo.name} SLO is blind`,
      description: `No ${metric} series for ${r.service.name} in namespace ${r.namespace} for ${model.policy.absentFor}. A scrape or instrumentation failure hides every error from the SLO alerts.`,
      runbook_url: runbookUrl(model.policy, r.service.name, r.slo.name),
      dashboard_url: dashboardUrl(model.policy, r.service.name, model.environment.name),
    },
  };
}

function describeSli(r: ResolvedSlo): string {
  const what =
    r.slo.sli === 'availability'
      ? 'requests answered with a 5xx'
      : `requests slower than ${r.slo.thresholdMs} ms`;
  return `${r.slo.description ? `${r.slo.description}. ` : ''}SLI: ${what}.`;
}
