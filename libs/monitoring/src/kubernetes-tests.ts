import { durationMs, formatDuration } from '@cios/platform-spec';
import type { MonitoringModel, ResolvedService } from './model.js';
import type { PromtoolTestCase, PromtoolTestFile } from './promtool-tests.js';
import { isAlert, type AlertingRule, type RuleFile } from './rule-types.js';

/** A series as kube-state-metrics or the kubelet exposes it, holding one value per evaluation. */
interface Gauge {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The first sample and the change per evaluation. */
  readonly start: number;
  readonly perStep?: number;
}

/** One Kubernetes alert's cases: the series that make it fire, and series that must not. */
interface AlertCases {
  readonly alert: string;
  readonly firing: readonly Gauge[];
  /** Labels the alert takes from the series. */
  readonly labels: Readonly<Record<string, string>>;
  /** `$value` when the alert fires, for annotations that print it. */
  readonly value?: number;
  /** Evaluations before the expression can return anything (predict_linear needs two samples). */
  readonly warmup?: number;
  readonly silent: readonly { readonly why: string; readonly series: readonly Gauge[] }[];
}

function seriesText(g: Gauge): string {
  return `${g.metric}{${Object.entries(g.labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

function valuesText(g: Gauge, samples: number): string {
  const step = g.perStep ?? 0;
  return `${g.start}${step < 0 ? '' : '+'}${step}x${samples - 1}`;
}

/** The annotations of `rule` as Prometheus renders them for these labels and `$value`. */
function rendered(rule: AlertingRule, labels: Readonly<Record<string, string>>, value?: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(rule.annotations).map(([k, v]) => {
      let text = v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
      if (value !== undefined) text = text.replaceAll('{{ $value }}', String(value));
      return [k, text];
    }),
  );
}

/** The alerts of the Kubernetes rule file and the cases that exercise each, for what the service runs. */
function alertCases(s: ResolvedService, evaluationMs: number): AlertCases[] {
  const { namespace } = s;
  const name = s.service.name;
  const stateful = s.service.workload === 'stateful';
  const pod = stateful ? `${name}-0` : `${name}-7c9d8f6b5d-x2k4p`;
  const container = { namespace, pod, container: name };
  const waiting = (reason: string, value: number): Gauge => ({
    metric: 'kube_pod_container_status_waiting_reason',
    labels: { ...container, reason },
    start: value,
  });
  const ready = (condition: string, value: number, podName = pod): Gauge => ({
    metric: 'kube_pod_status_ready',
    labels: { namespace, pod: podName, condition },
    start: value,
  });
  const cases: AlertCases[] = [
    {
      alert: 'KubePodCrashLooping',
      firing: [waiting('CrashLoopBackOff', 1)],
      labels: container,
      silent: [{ why: 'the container runs', series: [waiting('CrashLoopBackOff', 0)] }],
    },
    {
      alert: 'KubeContainerWaiting',
      firing: [waiting('ContainerCreating', 1)],
      labels: container,
      silent: [{ why: 'it waits in CrashLoopBackOff (KubePodCrashLooping says so)', series: [waiting('CrashLoopBackOff', 1)] }],
    },
    {
      alert: 'KubePodNotReady',
      firing: [ready('false', 1), ready('true', 0)],
      labels: { namespace, pod },
      silent: [
        { why: 'the pod is ready', series: [ready('false', 0), ready('true', 1)] },
        { why: 'the unready pod is its backup job\'s', series: [ready('false', 1, `${name}-backup-29000000-abcde`)] },
      ],
    },
  ];
  if (s.replicas > 0) {
    const kind = stateful ? 'statefulset' : 'deployment';
    const workload = { namespace, [kind]: name };
    const available = (value: number): Gauge => ({
      metric: stateful ? 'kube_statefulset_status_replicas_ready' : 'kube_deployment_status_replicas_available',
      labels: workload,
      start: value,
    });
    const desired = (value: number): Gauge => ({
      metric: stateful ? 'kube_statefulset_replicas' : 'kube_deployment_spec_replicas',
      labels: workload,
      start: value,
    });
    cases.push(
      {
        alert: 'KubeReplicasUnavailable',
        firing: [desired(3), available(0)],
        labels: workload,
        value: 3,
        silent: [
          { why: 'one replica of three is available', series: [desired(3), available(1)] },
          { why: 'it is scaled to zero', series: [desired(0), available(0)] },
        ],
      },
      {
        alert: 'KubeReplicasMismatch',
        firing: [desired(3), available(2)],
        labels: workload,
        silent: [{ why: 'every desired replica is available', series: [desired(3), available(3)] }],
      },
    );
  }
  if (s.service.autoscaling && s.replicas > 0) {
    const hpa = { namespace, horizontalpodautoscaler: name };
    const replicas = (current: number, max: number): Gauge[] => [
      { metric: 'kube_horizontalpodautoscaler_status_current_replicas', labels: hpa, start: current },
      { metric: 'kube_horizontalpodautoscaler_spec_max_replicas', labels: hpa, start: max },
    ];
    cases.push({
      alert: 'KubeHpaMaxedOut',
      firing: replicas(6, 6),
      labels: hpa,
      silent: [{ why: 'it is below its maximum', series: replicas(5, 6) }],
    });
  }
  if (s.service.storage) {
    const pvc = { namespace, persistentvolumeclaim: `data-${name}-0` };
    // Draining 2 × the free space over the 4-day horizon: predict_linear crosses zero whatever the interval.
    const stepsIn4Days = Math.ceil((4 * 86_400_000) / evaluationMs);
    const free = 10 * stepsIn4Days;
    const volume = (available: number, perStep: number): Gauge[] => [
      { metric: 'kubelet_volume_stats_available_bytes', labels: pvc, start: available, perStep },
      { metric: 'kubelet_volume_stats_capacity_bytes', labels: pvc, start: 10 * free },
    ];
    cases.push({
      alert: 'KubePersistentVolumeFillingUp',
      firing: volume(free, -20),
      labels: pvc,
      warmup: 1,
      silent: [
        { why: 'half of it is free', series: volume(5 * free, -20) },
        { why: 'it stopped filling', series: volume(free, 0) },
      ],
    });
  }
  return cases;
}

function alertIn(file: RuleFile, name: string): AlertingRule | undefined {
  return file.groups.flatMap((g) => g.rules).find((r): r is AlertingRule => isAlert(r) && r.alert === name);
}

/**
 * promtool unit tests of a service's Kubernetes alerts, fed the series kube-state-metrics and the kubelet
 * expose, at the policy's evaluation interval: each alert is silent one evaluation before its `for:` has
 * passed and firing once it has, and silent for each look-alike that is not its problem.
 */
export function kubernetesTests(model: MonitoringModel, s: ResolvedService, file: RuleFile): PromtoolTestFile | undefined {
  const evaluationMs = durationMs(model.policy.evaluationInterval);
  const at = (ms: number) => formatDuration(ms);
  const tests: PromtoolTestCase[] = [];
  for (const c of alertCases(s, evaluationMs)) {
    const rule = alertIn(file, c.alert);
    if (!rule) continue;
    const fireAt = ((c.warmup ?? 0) + Math.ceil(durationMs(rule.for ?? '0s') / evaluationMs)) * evaluationMs;
    const samples = fireAt / evaluationMs + 2;
    const input = (series: readonly Gauge[]) => series.map((g) => ({ series: seriesText(g), values: valuesText(g, samples) }));
    tests.push({
      name: `${s.service.name}: ${c.alert} fires once for: ${rule.for} has passed, not one evaluation sooner`,
      interval: at(evaluationMs),
      input_series: input(c.firing),
      alert_rule_test: [
        { eval_time: at(fireAt - evaluationMs), alertname: c.alert, exp_alerts: [] },
        {
          eval_time: at(fireAt),
          alertname: c.alert,
          exp_alerts: [{ exp_labels: { ...rule.labels, ...c.labels }, exp_annotations: rendered(rule, c.labels, c.value) }],
        },
      ],
    });
    for (const silent of c.silent) {
      tests.push({
        name: `${s.service.name}: ${c.alert} stays silent when ${silent.why}`,
        interval: at(evaluationMs),
        input_series: input(silent.series),
        alert_rule_test: [{ eval_time: at(fireAt), alertname: c.alert, exp_alerts: [] }],
      });
    }
  }
  if (tests.length === 0) return undefined;
  return { rule_files: [], evaluation_interval: at(evaluationMs), tests };
}
