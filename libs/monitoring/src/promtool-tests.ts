import { durationMs, formatDuration } from '@cios/platform-spec';
import { Decimal } from './decimal.js';
import { humanizePercentage } from './humanize.js';
import type { MonitoringModel, ResolvedService, ResolvedSlo, ResolvedTier } from './model.js';
import { ERROR_BUDGET_REMAINING, REQUESTS_TOTAL, REQUEST_DURATION, SLO_METRIC_ABSENT_ALERT, burnAlertName } from './promql.js';
import type { AlertingRule, RuleFile } from './rule-types.js';
import { isAlert } from './rule-types.js';
import { PLATFORM_RULE_FILE, kubernetesRuleFileName, sloRuleFileName, trafficRuleFileName } from './rules.js';
import { backupTests } from './backup-tests.js';
import { kubernetesTests } from './kubernetes-tests.js';
import { releaseTests } from './release-tests.js';

/**
 * How far above (fires) and below (silent) a tier's threshold the generated tests burn: close enough that a
 * threshold off by 2 % fails a test, far enough that promtool's float arithmetic never decides.
 */
export const TEST_MARGIN = { above: Decimal.of('1.02'), below: Decimal.of('0.98') };

/** Burn factor of the reset tests: the long window stays above the threshold well after the errors stop. */
const RESET_BURN = Decimal.of(2);

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
  /** Groups evaluated first to last at each step (promtool's own order is unspecified). */
  readonly group_eval_order?: readonly string[];
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

/**
 * Sample step for tests of a window: a quarter of it, in whole evaluation intervals (at least one), so that
 * every evaluation a test checks lands on a sample and the window always holds four or more.
 */
export function testStepMs(windowMs: number, evaluationMs: number): number {
  return Math.max(1, Math.floor(windowMs / 4 / evaluationMs)) * evaluationMs;
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

/** A stretch of traffic at one error ratio. */
interface Phase {
  readonly steps: number;
  readonly ratio: Decimal;
}

/**
 * Input series of an SLO's SLI: `idleSteps` with no requests at all (counters flat at 0), then each phase's
 * error ratio at `rps` requests per second, for whichever SLI the SLO reads.
 */
export function trafficSeries(r: ResolvedSlo, stepMs: number, rps: Decimal, phases: readonly Phase[], idleSteps = 0): InputSeries[] {
  const perStep = rps.times(Decimal.of(stepMs).shiftLeft(3));
  const idle = { steps: idleSteps, perStep: Decimal.of(0) };
  const goodSeries = counter([idle, ...phases.map((p) => ({ steps: p.steps, perStep: perStep.minus(perStep.times(p.ratio)) }))]);
  const badSeries = counter([idle, ...phases.map((p) => ({ steps: p.steps, perStep: perStep.times(p.ratio) }))]);
  const totalSeries = counter([idle, ...phases.map((p) => ({ steps: p.steps, perStep }))]);
  const labels = `namespace="${r.namespace}",service="${r.service.name}"`;
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
  const phases = [
    { steps: s.cleanSteps, ratio: Decimal.of(0) },
    { steps: s.totalSteps - s.cleanSteps, ratio: s.ratio },
  ];
  return trafficSeries(s.r, s.stepMs, s.rps, phases, s.idleSteps ?? 0);
}

function at(ms: number): string {
  return formatDuration(ms);
}

function roundUp(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}

/** `factor` × the threshold, or halfway from the threshold to 1 where that would exceed an error ratio's 1. */
function burnAt(tier: ResolvedTier, factor: Decimal): Decimal {
  const ratio = tier.threshold.times(factor);
  return ratio.compare(1) < 0 ? ratio : Decimal.of(1).plus(tier.threshold).times(Decimal.of('0.5'));
}

/**
 * Requests per second of the tests: 100, or enough that a single step of traffic passes the low-traffic guard,
 * so that the guard never delays an alert the tests time to one evaluation.
 */
function testRps(r: ResolvedSlo, stepMs: number): Decimal {
  const guard = Math.ceil(r.minRequests / (stepMs / 1000));
  return Decimal.of(Math.max(100, guard));
}

interface TierTests {
  /** At the policy's evaluation interval: when the alert fires, to the evaluation. */
  readonly timing: PromtoolTestCase[];
  /**
   * At the tests' sample step (a whole number of evaluation intervals: every n-th evaluation Prometheus makes):
   * what the windows do over hours or days, which one evaluation every 30 s would take minutes to replay.
   */
  readonly windows: PromtoolTestCase[];
  readonly windowsEvaluationMs: number;
}

/**
 * Per tier:
 * - timing: a steady burn at 1.02 × the threshold from the first sample reaches both windows at the second
 *   sample; the alert is still silent one evaluation before `for:` has passed from there and firing once it
 *   has; at 0.98 × it stays silent; with the low-traffic guard on, too few requests keep it silent;
 * - windows: a 1.02 × burn is silent when 90 % of the long window has burnt and fires once the window is full
 *   and `for:` has passed (the long window is as long as it says); a 2 × burn that stops clears within the
 *   short window while the long window still reads far above the threshold (the short window resets it).
 */
function tierTests(r: ResolvedSlo, tier: ResolvedTier, rule: AlertingRule, evaluationMs: number): TierTests {
  const stepMs = testStepMs(durationMs(tier.shortWindow), evaluationMs);
  const steps = (ms: number) => Math.ceil(ms / stepMs);
  const longMs = durationMs(tier.longWindow);
  const shortMs = roundUp(durationMs(tier.shortWindow), stepMs);
  const rawForMs = durationMs(tier.for);
  const forMs = roundUp(rawForMs, evaluationMs);
  const rps = testRps(r, stepMs);
  const above = burnAt(tier, TEST_MARGIN.above);
  const below = tier.threshold.times(TEST_MARGIN.below);
  const reset = burnAt(tier, RESET_BURN);
  const alertname = burnAlertName(tier.name);
  const firing = (ratio: Decimal) => [{ exp_labels: { ...rule.labels }, exp_annotations: renderAnnotations(rule, ratio.toNumber()) }];
  const burn = (ratio: Decimal) => `${formatRatio(ratio.dividedBy(r.budget))}× burn`;
  const title = `${r.service.name}/${r.slo.name}: ${tier.name}`;
  const steady = (ratio: Decimal, totalMs: number, perSecond = rps) => trafficSeries(r, stepMs, perSecond, [{ steps: steps(totalMs) + 1, ratio }]);
  // Rates need two samples: a burn from the first sample is seen at the second, and pending from there.
  const fireAt = stepMs + forMs;
  const settleMs = fireAt + 2 * stepMs;
  const timing: PromtoolTestCase[] = [
    {
      name: `${title} fires at ${burn(above)} once for: ${tier.for} has passed, not one evaluation sooner`,
      interval: at(stepMs),
      input_series: steady(above, fireAt + stepMs),
      alert_rule_test: [
        { eval_time: at(fireAt - evaluationMs), alertname, exp_alerts: [] },
        { eval_time: at(fireAt), alertname, exp_alerts: firing(above) },
      ],
    },
    {
      name: `${title} stays silent at ${burn(below)}`,
      interval: at(stepMs),
      input_series: steady(below, settleMs),
      alert_rule_test: [{ eval_time: at(settleMs), alertname, exp_alerts: [] }],
    },
  ];
  if (r.minRequests > 0) {
    const lowRps = Decimal.of(r.minRequests).times(Decimal.of('0.5')).dividedBy(Decimal.of(longMs).shiftLeft(3));
    timing.push({
      name: `${title} stays silent below ${r.minRequests} requests per ${tier.longWindow}`,
      interval: at(stepMs),
      input_series: steady(above, settleMs, lowRps),
      alert_rule_test: [{ eval_time: at(settleMs), alertname, exp_alerts: [] }],
    });
  }
  // Clean traffic for a quarter of the long window first: at 90 % burnt the window still holds a tenth of it.
  const cleanSteps = steps(longMs / 4) + 1;
  const cleanMs = cleanSteps * stepMs;
  const rampFireMs = cleanMs + roundUp(longMs + rawForMs, stepMs) + 2 * stepMs;
  // Burning longer than the short window: the long window still reads above the threshold when the short one is clean.
  const stopAt = (steps(shortMs + rawForMs) + 2) * stepMs;
  const windows: PromtoolTestCase[] = [
    {
      name: `${title} waits for the ${tier.longWindow} window: silent with 90 % of it burnt at ${burn(above)}, firing once it is full`,
      interval: at(stepMs),
      input_series: trafficSeries(r, stepMs, rps, [
        { steps: cleanSteps, ratio: Decimal.of(0) },
        { steps: steps(rampFireMs - cleanMs) + 1, ratio: above },
      ]),
      alert_rule_test: [
        { eval_time: at(cleanMs + roundDown(longMs * 0.9, stepMs)), alertname, exp_alerts: [] },
        { eval_time: at(rampFireMs), alertname, exp_alerts: firing(above) },
      ],
    },
    {
      name: `${title} clears within the ${tier.shortWindow} window once a ${burn(reset)} stops`,
      interval: at(stepMs),
      input_series: trafficSeries(r, stepMs, rps, [
        { steps: stopAt / stepMs, ratio: reset },
        { steps: steps(shortMs) + 1, ratio: Decimal.of(0) },
      ]),
      alert_rule_test: [
        { eval_time: at(stopAt), alertname, exp_alerts: firing(reset) },
        { eval_time: at(stopAt + shortMs), alertname, exp_alerts: [] },
      ],
    },
  ];
  return { timing, windows, windowsEvaluationMs: stepMs };
}

/**
 * The error budget is whole after a stretch with no requests at all followed by clean traffic: an idle
 * service has spent nothing (a 0/0 ratio recorded as NaN would poison the whole period's average); and half
 * of it is left after errors at half the budget's rate (0.05 % errors against a 99.9 % objective).
 */
function budgetTests(r: ResolvedSlo, evaluationMs: number): PromtoolTestFile['tests'] {
  const windowMs = durationMs(r.windows[0] as string);
  const stepMs = testStepMs(windowMs, evaluationMs);
  const windowSteps = Math.ceil(windowMs / stepMs);
  const idleSteps = 3 * windowSteps;
  const cleanSteps = 3 * windowSteps;
  const identity = `{service="${r.service.name}",slo="${r.slo.name}"}`;
  const remaining = `${ERROR_BUDGET_REMAINING}${identity}`;
  const half = r.budget.times(Decimal.of('0.5'));
  return [
    {
      name: `${r.service.name}/${r.slo.name}: the error budget stays whole through an idle stretch`,
      interval: at(stepMs),
      input_series: trafficSeries(r, stepMs, Decimal.of(10), [{ steps: cleanSteps, ratio: Decimal.of(0) }], idleSteps),
      alert_rule_test: [],
      promql_expr_test: [{ expr: remaining, eval_time: at((idleSteps + cleanSteps) * stepMs), exp_samples: [{ labels: remaining, value: 1 }] }],
    },
    {
      name: `${r.service.name}/${r.slo.name}: half the error budget is left after errors at half its rate (${formatRatio(half.shiftLeft(-2))} %)`,
      interval: at(stepMs),
      input_series: trafficSeries(r, stepMs, Decimal.of(10), [{ steps: cleanSteps, ratio: half }]),
      alert_rule_test: [],
      // Rounded: the average of many float ratios is 0.5 only to about 1e-15.
      promql_expr_test: [{ expr: `round(${remaining}, 0.0001)`, eval_time: at(cleanSteps * stepMs), exp_samples: [{ labels: identity, value: 0.5 }] }],
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
  const stepMs = durationMs(model.policy.evaluationInterval);
  // absent() is true from the first evaluation: firing once absentFor has passed, not one evaluation sooner.
  const evalMs = roundUp(durationMs(model.policy.absentFor), stepMs);
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
        alert_rule_test: [
          { eval_time: at(evalMs - stepMs), alertname: SLO_METRIC_ABSENT_ALERT, exp_alerts: [] },
          { eval_time: at(evalMs), alertname: SLO_METRIC_ABSENT_ALERT, exp_alerts: exp },
        ],
      },
    ],
  };
}

/** absent() copies the equality matchers of its selector into the alert's labels. */
function absentSelectorLabels(r: ResolvedSlo): Record<string, string> {
  return { namespace: r.namespace, service: r.service.name };
}

/**
 * promtool unit test files per SLO and tier (`<service>.<slo>.<tier>` and `<service>.<slo>.<tier>.windows`,
 * enabled tiers only), per SLO for the
 * budget, per service for absent metrics, Kubernetes alerts and backups (`<service>.absent`,
 * `<service>.kubernetes`, `<service>.backup`), and for the release markers (`platform.releases`). All but the
 * `.windows`, backup and release tests evaluate at the policy's evaluationInterval, as Prometheus will.
 */
export function promtoolTests(model: MonitoringModel, files: readonly RuleFile[]): Map<string, PromtoolTestFile> {
  const out = new Map<string, PromtoolTestFile>();
  const byName = new Map(files.map((f) => [f.name, f]));
  const evaluationMs = durationMs(model.policy.evaluationInterval);
  const evaluation = at(evaluationMs);
  for (const s of model.services) {
    const traffic = byName.get(trafficRuleFileName(s.service.name));
    const absentRules: AlertingRule[] = [];
    const absentFiles: string[] = [];
    for (const r of s.slos) {
      const fileName = sloRuleFileName(s.service.name, r.slo.name);
      const file = byName.get(fileName);
      if (!file) continue;
      const alerts = rulesByAlert(file);
      const guarded = traffic && r.minRequests > 0 ? traffic : undefined;
      const ruleFiles = [`../rules/${fileName}.rules.yml`, ...(guarded ? [`../rules/${guarded.name}.rules.yml`] : [])];
      // The guard's group first: promtool's own order is unspecified, and the tests time alerts to one evaluation.
      const order = guarded ? { group_eval_order: [...guarded.groups, ...file.groups].map((g) => g.name) } : {};
      out.set(`${s.service.name}.${r.slo.name}.budget`, {
        rule_files: [`../rules/${fileName}.rules.yml`],
        evaluation_interval: evaluation,
        tests: budgetTests(r, evaluationMs),
      });
      for (const tier of r.tiers) {
        const rule = (alerts.get(burnAlertName(tier.name)) ?? [])[0];
        if (!rule) continue;
        const tests = tierTests(r, tier, rule, evaluationMs);
        out.set(`${s.service.name}.${r.slo.name}.${tier.name}`, { rule_files: ruleFiles, evaluation_interval: evaluation, ...order, tests: tests.timing });
        out.set(`${s.service.name}.${r.slo.name}.${tier.name}.windows`, {
          rule_files: ruleFiles,
          evaluation_interval: at(tests.windowsEvaluationMs),
          ...order,
          tests: tests.windows,
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
    const kube = byName.get(kubernetes);
    const kubeTests = kube ? kubernetesTests(model, s, kube) : undefined;
    if (kubeTests) out.set(`${s.service.name}.kubernetes`, { ...kubeTests, rule_files: [`../rules/${kubernetes}.rules.yml`] });
    const backup = backupTests(model, s, byName.get(kubernetes));
    if (backup) out.set(`${s.service.name}.backup`, { ...backup, rule_files: [`../rules/${kubernetes}.rules.yml`] });
  }
  const releases = releaseTests(model);
  if (releases && byName.has(PLATFORM_RULE_FILE)) out.set('platform.releases', { ...releases, rule_files: [`../rules/${PLATFORM_RULE_FILE}.rules.yml`] });
  return out;
}
