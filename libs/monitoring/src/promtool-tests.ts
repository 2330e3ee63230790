import { durationMs, formatDuration } from '@cios/platform-spec';
import { Decimal } from './decimal.js';
import { humanizePercentage } from './humanize.js';
import type { MonitoringModel, ResolvedService, ResolvedSlo, ResolvedTier } from './model.js';
import { ERROR_BUDGET_REMAINING, REQUESTS_TOTAL, REQUEST_DURATION, SLO_METRIC_ABSENT_ALERT, burnAlertName } from './promql.js';
import type { AlertingRule, RuleFile } from './rule-types.js';
import { isAlert } from './rule-types.js';
import { PLATFORM_RULE_FILE, kubernetesRuleFileName, sloRuleFileName, trafficRuleFileName } from './rules.js';
import { backupTests } from './backup-tests.js';
import { releaseTests } from './release-tests.js';

/** How far above (fires) and below (silent) a tier's threshold the generated tests burn. */
export const TEST_MARGIN = { above: Decimal.of('1.05'), below: Decimal.of('0.95') };

interface InputSeries {
  readonly series: string;
  readonly values: string;
}

interface ExpectedAlert {
  readonly exp_labels: Record<string, string>;
  readonly exp_annotations: Record<string, string>;
}

interface AlertRuleTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly ExpectedAlert[];
}

export interface PromtoolTestCase {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test: readonly AlertRuleTest[];
  readonly promql_expr_test?: readonly ExprTest[];
}

interface ExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}

export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly PromtoolTestCase[];
}

/** A counter that rises by `perStep` for `steps` steps, then by `after` to the end: promtool's expanding notation. */
function counter(segments: readonly { readonly steps: number; readonly perStep: Decimal }[]): string {
  const parts: string[] = [];
  let value = Decimal.of(0);
  let first = true;
  for (const { steps, perStep } of segments) {
    if (steps <= 0) continue;
    // The first segment starts at 0 and yields steps + 1 samples; later ones continue from the last sample.
    const start = first ? value : value.plus(perStep);
    const count = first ? steps : steps - 1;
    parts.push(`${start.toString()}+${perStep.toString()}x${count}`);
    value = start.plus(perStep.times(count));
    first = false;
  }
  return parts.join(' ');
}

/** Sample and evaluation step for a tier's tests: a quarter of its short window, in whole seconds or minutes. */
export function testStepMs(tier: Pick<ResolvedTier, 'shortWindow'>): number {
  const quarter = durationMs(tier.shortWindow) / 4;
  const unit = quarter >= 60_000 ? 60_000 : 1000;
  return Math.max(1000, Math.floor(quarter / unit) * unit);
}

function rulesByAlert(file: RuleFile): Map<string, AlertingRule[]> {
  const map = new Map<string, AlertingRule[]>();
  for (const group of file.groups) {
    for (const rule of group.rules) {
      if (!isAlert(rule)) continue;
      map.set(rule.alert, [...(map.get(rule.alert) ?? []), rule]);
    }
  }
  return map;
}

/** Renders the annotation templates the generated rules use, for a known `$value`. */
function renderAnnotations(rule: AlertingRule, value: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => [k, v.replaceAll('{{ $value | humanizePercentage }}', humanizePercentage(value))]),
  );
}

interface Scenario {
  readonly r: ResolvedSlo;
  readonly stepMs: number;
  /** Error ratio during the burn. */
  readonly ratio: Decimal;
  /** Requests per second. */
  readonly rps: Decimal;
  /** Clean steps before the burn starts. */
  readonly cleanSteps: number;
  readonly totalSteps: number;
  /** Steps with no requests at all before anything else (counters flat at 0). */
  readonly idleSteps?: number;
}

/** Input series for a burn at `ratio` after a clean stretch, for whichever SLI the SLO reads. */
export function burnSeries(s: Scenario): InputSeries[] {
  const { r } = s;
  const perStep = s.rps.times(Decimal.of(s.stepMs).shiftLeft(3));
  const bad = perStep.times(s.ratio);
  const good = perStep.minus(bad);
  const burnSteps = s.totalSteps - s.cleanSteps;
  const labels = `namespace="${r.namespace}",service="${r.service.name}"`;
  const idle = { steps: s.idleSteps ?? 0, perStep: Decimal.of(0) };
  const goodSeries = counter([idle, { steps: s.cleanSteps, perStep }, { steps: burnSteps, perStep: good }]);
  const badSeries = counter([idle, { steps: s.cleanSteps, perStep: Decimal.of(0) }, { steps: burnSteps, perStep: bad }]);
  const totalSeries = counter([idle, { steps: s.totalSteps, perStep }]);
  if (r.slo.sli === 'availability') {
    return [
      { series: `${REQUESTS_TOTAL}{${labels},code="200",method="GET",route="/"}`, values: goodSeries },
      { series: `${REQUESTS_TOTAL}{${labels},code="500",method="GET",route="/"}`, values: badSeries },
    ];
  }
  return [
    { series: `${REQUEST_DURATION}_bucket{${labels},le="${r.le}",method="GET",route="/"}`, values: goodSeries },
    { series: `${REQUEST_DURATION}_count{${labels},method="GET",route="/"}`, values: totalSeries },
    // The low-traffic guard counts requests from the request counter.
    { series: `${REQUESTS_TOTAL}{${labels},code="200",method="GET",route="/"}`, values: totalSeries },
  ];
}

function at(ms: number): string {
  return formatDuration(ms);
}

function roundUp(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}

/**
 * Per tier: at 1.05 × its threshold, after a clean stretch as long as the long window, the alert is still
 * silent when 90 % of the window has burnt and fires once the window is full and `for:` has passed; at
 * 0.95 × it stays silent with the window full; with the low-traffic guard on, too few requests keep it silent.
 */
function tierTests(r: ResolvedSlo, tier: ResolvedTier, rule: AlertingRule): PromtoolTestCase[] {
  const stepMs = testStepMs(tier);
  const longMs = durationMs(tier.longWindow);
  const cleanSteps = Math.ceil(longMs / stepMs) + 1;
  const settleMs = roundUp(longMs + durationMs(tier.for), stepMs) + 2 * stepMs;
  const settleSteps = Math.ceil(settleMs / stepMs) + 1;
  const cleanMs = cleanSteps * stepMs;
  const longSeconds = Decimal.of(longMs).shiftLeft(3);
  // Enough traffic that the guard (if any) passes with room to spare: 2 × minRequests per long window.
  const guardRps = Decimal.of(Math.ceil((2 * r.minRequests) / longSeconds.toNumber()));
  const rps = guardRps.compare(100) > 0 ? guardRps : Decimal.of(100);
  const above = tier.threshold.times(TEST_MARGIN.above);
  const aboveRatio = above.compare(1) < 0 ? above : Decimal.of(1).plus(tier.threshold).times(Decimal.of('0.5'));
  const belowRatio = tier.threshold.times(TEST_MARGIN.below);
  const alertname = burnAlertName(tier.name);
  const burning = { r, stepMs, rps, cleanSteps, totalSteps: cleanSteps + settleSteps };
  // A steady burn from the first sample fills every window at once: no clean stretch needed to stay silent.
  const steady = { r, stepMs, rps, cleanSteps: 0, totalSteps: settleSteps };
  const tests: PromtoolTestCase[] = [
    {
      name: `${r.service.name}/${r.slo.name}: ${tier.name} fires at ${formatRatio(aboveRatio.dividedBy(r.budget))}× burn`,
      interval: at(stepMs),
      input_series: burnSeries({ ...burning, ratio: aboveRatio }),
      alert_rule_test: [
        { eval_time: at(cleanMs + roundDown(longMs * 0.9, stepMs)), alertname, exp_alerts: [] },
        {
          eval_time: at(cleanMs + settleMs),
          alertname,
          exp_alerts: [{ exp_labels: { ...rule.labels }, exp_annotations: renderAnnotations(rule, aboveRatio.toNumber()) }],
        },
      ],
    },
    {
      name: `${r.service.name}/${r.slo.name}: ${tier.name} stays silent at ${formatRatio(belowRatio.dividedBy(r.budget))}× burn`,
      interval: at(stepMs),
      input_series: burnSeries({ ...steady, ratio: belowRatio }),
      alert_rule_test: [{ eval_time: at(settleMs), alertname, exp_alerts: [] }],
    },
  ];
  if (r.minRequests > 0) {
    const lowRps = Decimal.of(r.minRequests).times(Decimal.of('0.5')).dividedBy(longSeconds);
    tests.push({
      name: `${r.service.name}/${r.slo.name}: ${tier.name} stays silent below ${r.minRequests} requests per ${tier.longWindow}`,
      interval: at(stepMs),
      input_series: burnSeries({ ...steady, ratio: aboveRatio, rps: lowRps }),
      alert_rule_test: [{ eval_time: at(settleMs), alertname, exp_alerts: [] }],
    });
  }
  return tests;
}

/**
 * The error budget is whole after a stretch with no requests at all followed by clean traffic: an idle
 * service has spent nothing (a 0/0 ratio recorded as NaN would poison the whole period's average).
 */
function budgetTests(r: ResolvedSlo): PromtoolTestFile['tests'] {
  const stepMs = 60_000;
  const windowSteps = Math.ceil(durationMs(r.windows[0] as string) / stepMs);
  const idleSteps = 3 * windowSteps;
  const cleanSteps = 3 * windowSteps;
  const labels = `${ERROR_BUDGET_REMAINING}{service="${r.service.name}",slo="${r.slo.name}"}`;
  return [
    {
      name: `${r.service.name}/${r.slo.name}: the error budget stays whole through an idle stretch`,
      interval: at(stepMs),
      input_series: burnSeries({ r, stepMs, ratio: Decimal.of(0), rps: Decimal.of(10), idleSteps, cleanSteps, totalSteps: cleanSteps }),
      alert_rule_test: [],
      promql_expr_test: [{ expr: labels, eval_time: at((idleSteps + cleanSteps) * stepMs), exp_samples: [{ labels, value: 1 }] }],
    },
  ];
}

function roundDown(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

function formatRatio(d: Decimal): string {
  return String(Number(d.toNumber().toPrecision(4)));
}

function absentTests(model: MonitoringModel, s: ResolvedService, rules: AlertingRule[]): PromtoolTestFile | undefined {
  const absent = s.slos.filter((r) => r.alertOnAbsent);
  if (absent.length === 0) return undefined;
  const forMs = durationMs(model.policy.absentFor);
  const stepMs = 60_000;
  const evalMs = roundUp(forMs, stepMs) + 2 * stepMs;
  const exp = absent.map((r) => {
    const rule = rules.find((x) => x.labels['slo'] === r.slo.name) as AlertingRule;
    return { exp_labels: { ...rule.labels, ...absentSelectorLabels(r) }, exp_annotations: { ...rule.annotations } };
  });
  return {
    rule_files: [],
    evaluation_interval: at(stepMs),
    tests: [
      {
        name: `${s.service.name}: ${SLO_METRIC_ABSENT_ALERT} fires when the service exposes no request metrics`,
        interval: at(stepMs),
        input_series: [{ series: `up{namespace="${s.namespace}",service="${s.service.name}"}`, values: `1x${Math.ceil(evalMs / stepMs) + 1}` }],
        alert_rule_test: [{ eval_time: at(evalMs), alertname: SLO_METRIC_ABSENT_ALERT, exp_alerts: exp }],
      },
    ],
  };
}

/** absent() copies the equality matchers of its selector into the alert's labels. */
function absentSelectorLabels(r: ResolvedSlo): Record<string, string> {
  return { namespace: r.namespace, service: r.service.name };
}

/**
 * promtool unit test files per SLO and tier (`<service>.<slo>.<tier>`, enabled tiers only), per SLO for the
 * budget, per service for absent metrics and backups (`<service>.absent`, `<service>.backup`), and for the
 * release markers (`platform.releases`).
 */
export function promtoolTests(model: MonitoringModel, files: readonly RuleFile[]): Map<string, PromtoolTestFile> {
  const out = new Map<string, PromtoolTestFile>();
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const s of model.services) {
    const traffic = byName.get(trafficRuleFileName(s.service.name));
    const absentRules: AlertingRule[] = [];
    const absentFiles: string[] = [];
    for (const r of s.slos) {
      const fileName = sloRuleFileName(s.service.name, r.slo.name);
      const file = byName.get(fileName);
      if (!file) continue;
      const alerts = rulesByAlert(file);
      const ruleFiles = [`../rules/${fileName}.rules.yml`, ...(traffic && r.minRequests > 0 ? [`../rules/${traffic.name}.rules.yml`] : [])];
      out.set(`${s.service.name}.${r.slo.name}.budget`, { rule_files: [`../rules/${fileName}.rules.yml`], evaluation_interval: at(60_000), tests: budgetTests(r) });
      for (const tier of r.tiers) {
        const rule = (alerts.get(burnAlertName(tier.name)) ?? [])[0];
        if (!rule) continue;
        out.set(`${s.service.name}.${r.slo.name}.${tier.name}`, {
          rule_files: ruleFiles,
          evaluation_interval: at(testStepMs(tier)),
          tests: tierTests(r, tier, rule),
        });
      }
      const absent = alerts.get(SLO_METRIC_ABSENT_ALERT);
      if (absent) {
        absentRules.push(...absent);
        absentFiles.push(`../rules/${fileName}.rules.yml`);
      }
    }
    const absent = absentTests(model, s, absentRules);
    if (absent) out.set(`${s.service.name}.absent`, { ...absent, rule_files: absentFiles });
    const kubernetes = kubernetesRuleFileName(s.service.name);
    const backup = backupTests(model, s, byName.get(kubernetes));
    if (backup) out.set(`${s.service.name}.backup`, { ...backup, rule_files: [`../rules/${kubernetes}.rules.yml`] });
  }
  const releases = releaseTests(model);
  if (releases && byName.has(PLATFORM_RULE_FILE)) out.set('platform.releases', { ...releases, rule_files: [`../rules/${PLATFORM_RULE_FILE}.rules.yml`] });
  return out;
}
