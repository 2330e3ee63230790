import { durationMs, formatDuration } from '@cios/platform-spec';
import { POD_NAME_LABEL, POD_VERSION_LABEL, kubeStateMetricsLabel } from './kube-state-metrics.js';
import type { MonitoringModel } from './model.js';
import { POD_RELEASE_INFO, RELEASE_INFO, REQUESTS_TOTAL, releaseErrorRatioQuery } from './promql.js';
import type { PromtoolTestFile } from './promtool-tests.js';

const OLD = 'old-release';
const NEW = 'new-release';

function series(metric: string, labels: Record<string, string>): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${metric}{${sorted.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/**
 * promtool unit test of the release markers, fed the `kube_pod_labels` series kube-state-metrics exposes with
 * the label allowlist of kube-state-metrics/values.yaml: mid-rollout, one pod runs the old release and one the
 * new; both releases are recorded, a pod without a version label is not, and the error ratio of the new
 * release's pods (25 % 5xx) is told apart from the old one's (none).
 */
export function releaseTests(model: MonitoringModel): PromtoolTestFile | undefined {
  const s = model.services.find((x) => x.slos.length > 0);
  if (!s) return undefined;
  const service = s.service.name;
  const { namespace } = s;
  const samples = 11;
  const evalAt = formatDuration((samples - 1) * 60_000);
  const pods = { [OLD]: `${service}-0ld00-aaaaa`, [NEW]: `${service}-new00-bbbbb` };
  const podLabels = (pod: string, release?: string) =>
    series('kube_pod_labels', {
      namespace,
      pod,
      [kubeStateMetricsLabel('label', POD_NAME_LABEL)]: service,
      ...(release ? { [kubeStateMetricsLabel('label', POD_VERSION_LABEL)]: release } : {}),
    });
  const requests = (pod: string, code: string) => series(REQUESTS_TOTAL, { namespace, service, pod, code, method: 'GET', route: '/' });
  const scope = { service, namespace };
  const releaseInfo = (release: string) => series(RELEASE_INFO, { namespace, release, service });
  return {
    rule_files: [],
    // Rules evaluated as the real Prometheus evaluates them; the samples stay a minute apart.
    evaluation_interval: formatDuration(durationMs(model.policy.evaluationInterval)),
    tests: [
      {
        name: `release markers: ${service} mid-rollout from ${OLD} to ${NEW}`,
        interval: '1m',
        input_series: [
          { series: podLabels(pods[OLD], OLD), values: `1x${samples - 1}` },
          { series: podLabels(pods[NEW], NEW), values: `1x${samples - 1}` },
          { series: podLabels(`${service}-unver-ccccc`), values: `1x${samples - 1}` },
          { series: requests(pods[OLD], '200'), values: `0+100x${samples - 1}` },
          { series: requests(pods[NEW], '200'), values: `0+75x${samples - 1}` },
          { series: requests(pods[NEW], '500'), values: `0+25x${samples - 1}` },
        ],
        alert_rule_test: [],
        promql_expr_test: [
          {
            expr: RELEASE_INFO,
            eval_time: evalAt,
            exp_samples: [{ labels: releaseInfo(NEW), value: 1 }, { labels: releaseInfo(OLD), value: 1 }],
          },
          {
            expr: `count(${POD_RELEASE_INFO}{service=${JSON.stringify(service)}})`,
            eval_time: evalAt,
            exp_samples: [{ labels: '{}', value: 2 }],
          },
          { expr: releaseErrorRatioQuery(scope, NEW, '5m'), eval_time: evalAt, exp_samples: [{ labels: '{}', value: 0.25 }] },
          { expr: releaseErrorRatioQuery(scope, OLD, '5m'), eval_time: evalAt, exp_samples: [{ labels: '{}', value: 0 }] },
        ],
      },
    ],
  };
}
