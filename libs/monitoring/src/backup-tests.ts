import { durationMs, formatDuration } from '@cios/platform-spec';
import { humanizeDuration } from './humanize.js';
import { SUSPENDED_BECAUSE_ANNOTATION, kubeStateMetricsLabel } from './kube-state-metrics.js';
import type { MonitoringModel, ResolvedService } from './model.js';
import type { PromtoolTestFile } from './promtool-tests.js';
import { isAlert, type AlertingRule, type RuleFile } from './rule-types.js';

/** kube-state-metrics' samples in the tests: one a minute. */
const STEP_MS = 60_000;

function alertIn(file: RuleFile, name: string): AlertingRule | undefined {
  return file.groups.flatMap((g) => g.rules).find((r): r is AlertingRule => isAlert(r) && r.alert === name);
}

/** The annotations of `rule` as Prometheus renders them for these labels and this value in seconds. */
function rendered(rule: AlertingRule, labels: Record<string, string>, seconds?: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => {
      let text = v;
      if (seconds !== undefined) text = text.replaceAll('{{ $value | humanizeDuration }}', humanizeDuration(seconds));
      for (const [name, value] of Object.entries(labels)) text = text.replaceAll(`{{ $labels.${name} }}`, value);
      return [k, text];
    }),
  );
}

/** A gauge holding `value` for `samples` samples, in promtool's expanding notation. */
function constant(value: number, samples: number): string {
  return `${value}x${samples - 1}`;
}

/** Last successful time of a CronJob whose runs succeed every `everyMinutes`, one sample a minute. */
function succeedingEvery(everyMinutes: number, samples: number): string {
  const blocks: string[] = [];
  for (let start = 0; start < samples; start += everyMinutes) {
    blocks.push(constant(start * 60, Math.min(everyMinutes, samples - start)));
  }
  return blocks.join(' ');
}

/**
 * promtool unit tests of a data service's backup alerts, with the series kube-state-metrics exposes:
 * BackupOverdue fires when the CronJob never succeeded and is older than the RPO, and when the last success
 * is older than the RPO; it stays silent while runs succeed within the RPO and while a new CronJob is younger
 * than the RPO, and while it is suspended with a reason (a standby cluster's); suspended without one, it fires.
 * BackupJobFailed fires for a failed run.
 */
export function backupTests(model: MonitoringModel, s: ResolvedService, file: RuleFile | undefined): PromtoolTestFile | undefined {
  if (!s.service.backup || !file) return undefined;
  const overdue = alertIn(file, 'BackupOverdue');
  const failed = alertIn(file, 'BackupJobFailed');
  if (!overdue || !failed) return undefined;
  const rpoMinutes = model.environment.rpoMinutes;
  const evaluationMs = durationMs(model.policy.evaluationInterval);
  // An alert's value and state are those of the last evaluation, so every checked time is an evaluation.
  const onEvaluation = (ms: number): number => Math.ceil(ms / evaluationMs) * evaluationMs;
  const forMs = (rule: AlertingRule): number => durationMs(rule.for ?? '0s');
  // True from RPO + 1 sample; pending at the next evaluation, firing one for: (rounded up to evaluations)
  // later; a minute of margin.
  const fireAtMs = onEvaluation(rpoMinutes * STEP_MS + STEP_MS + evaluationMs + onEvaluation(forMs(overdue)) + STEP_MS);
  const failedAtMs = onEvaluation(STEP_MS + evaluationMs + onEvaluation(forMs(failed)) + STEP_MS);
  const silentBeforeRpoMs = Math.floor(((rpoMinutes - 1) * STEP_MS) / evaluationMs) * evaluationMs;
  const samples = Math.ceil(fireAtMs / STEP_MS) + 2;
  const failedSamples = Math.ceil(failedAtMs / STEP_MS) + 2;
  const at = (ms: number): string => formatDuration(ms);
  const cronjob = { namespace: s.namespace, cronjob: `${s.service.name}-backup` };
  const series = (metric: string, labels: Record<string, string>): string =>
    `${metric}{${Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
  const created = { series: series('kube_cronjob_created', cronjob), values: constant(0, samples) };
  const lastSuccess = (values: string) => ({ series: series('kube_cronjob_status_last_successful_time', cronjob), values });
  const firing = (seconds: number) => [
    { exp_labels: { ...overdue.labels, ...cronjob }, exp_annotations: rendered(overdue, cronjob, seconds) },
  ];
  const suspended = { series: series('kube_cronjob_spec_suspend', cronjob), values: constant(1, samples) };
  const reason = {
    series: series('kube_cronjob_annotations', { ...cronjob, [kubeStateMetricsLabel('annotation', SUSPENDED_BECAUSE_ANNOTATION)]: 'standby cluster' }),
    values: constant(1, samples),
  };
  const jobLabels = { namespace: s.namespace, job_name: `${s.service.name}-backup-29000000` };
  const name = s.service.name;
  return {
    rule_files: [],
    // Rules evaluated as the real Prometheus evaluates them; kube-state-metrics' samples stay a minute apart.
    evaluation_interval: at(evaluationMs),
    tests: [
      {
        name: `${name}: BackupOverdue fires when the backup CronJob never succeeded and is older than the ${rpoMinutes}-minute RPO`,
        interval: at(STEP_MS),
        input_series: [created],
        alert_rule_test: [
          { eval_time: at(silentBeforeRpoMs), alertname: 'BackupOverdue', exp_alerts: [] },
          { eval_time: at(fireAtMs), alertname: 'BackupOverdue', exp_alerts: firing(fireAtMs / 1000) },
        ],
      },
      {
        name: `${name}: BackupOverdue fires when the last successful backup is older than the RPO`,
        interval: at(STEP_MS),
        input_series: [created, lastSuccess(constant(0, samples))],
        alert_rule_test: [{ eval_time: at(fireAtMs), alertname: 'BackupOverdue', exp_alerts: firing(fireAtMs / 1000) }],
      },
      {
        name: `${name}: BackupOverdue stays silent while backups succeed within the RPO`,
        interval: at(STEP_MS),
        input_series: [created, lastSuccess(succeedingEvery(Math.max(1, Math.floor(rpoMinutes / 2)), samples))],
        alert_rule_test: [
          { eval_time: at(onEvaluation((rpoMinutes + 1) * STEP_MS)), alertname: 'BackupOverdue', exp_alerts: [] },
          { eval_time: at(fireAtMs), alertname: 'BackupOverdue', exp_alerts: [] },
        ],
      },
      {
        name: `${name}: BackupOverdue stays silent for a CronJob suspended with a reason (a standby cluster's backup)`,
        interval: at(STEP_MS),
        input_series: [created, suspended, reason],
        alert_rule_test: [{ eval_time: at(fireAtMs), alertname: 'BackupOverdue', exp_alerts: [] }],
      },
      {
        name: `${name}: BackupOverdue fires for a CronJob suspended without a reason`,
        interval: at(STEP_MS),
        input_series: [created, suspended],
        alert_rule_test: [{ eval_time: at(fireAtMs), alertname: 'BackupOverdue', exp_alerts: firing(fireAtMs / 1000) }],
      },
      {
        name: `${name}: BackupJobFailed fires for a failed backup run`,
        interval: at(STEP_MS),
        input_series: [{ series: series('kube_job_status_failed', jobLabels), values: `0 ${constant(1, failedSamples)}` }],
        alert_rule_test: [
          { eval_time: at(0), alertname: 'BackupJobFailed', exp_alerts: [] },
          {
            eval_time: at(failedAtMs),
            alertname: 'BackupJobFailed',
            exp_alerts: [{ exp_labels: { ...failed.labels, ...jobLabels }, exp_annotations: rendered(failed, jobLabels) }],
          },
        ],
      },
    ],
  };
}
