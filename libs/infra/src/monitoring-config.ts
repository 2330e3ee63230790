import { Dns1123Subdomain, SpecError, clusterNamed, problemsOf, type Cluster, type Platform } from '@cios/platform-spec';
import { checkDashboards, parseMonitoringObjects } from './monitoring-config-input.js';
import { normalizedJsonText } from './normalize.js';
import { PolicyError, checkPolicy } from './policy/run.js';
import type { PolicyFinding, SuppressedFinding, Suppression } from './policy/types.js';
import { renderBuilt, type RenderedStack } from './render.js';
import { monitoringConfigStack } from './stacks/monitoring-config-stack.js';
import { environmentNamed } from './synth.js';

/** The primary cluster's stack name: its state (file, Secret suffix or S3 key) and its place in a release. */
export const MONITORING_CONFIG_STACK = 'monitoring-config';

/**
 * The monitoring-config stack's name on `cluster`: `monitoring-config` on the primary (the name its state and
 * earlier releases have), `monitoring-config-<cluster>` on each secondary, as `standby-<cluster>` beside
 * `platform` and `services`.
 */
export function monitoringConfigStackName(cluster: Pick<Cluster, 'name' | 'role'>): string {
  return cluster.role === 'primary' ? MONITORING_CONFIG_STACK : `${MONITORING_CONFIG_STACK}-${cluster.name}`;
}

export interface MonitoringConfigOptions {
  readonly platform: Platform;
  /** Name of an environment of `platform`. */
  readonly environment: string;
  /**
   * prometheus-operator objects as plain JSON (PrometheusRule, ServiceMonitor, PodMonitor …, what
   * `generateMonitoring` writes in its operator format). Each is validated here: the minimal Kubernetes
   * shape, the operator's API group, one of the environment's namespaces.
   */
  readonly objects: readonly unknown[];
  /** Grafana dashboards, file name ("overview.json") → dashboard JSON text. */
  readonly dashboards: Readonly<Record<string, string>>;
  /** The Alertmanager configuration (alertmanager.yml); credentials by file path only (policy CIOS-SEC-002). */
  readonly alertmanagerConfig: string;
  /**
   * The Secret the Alertmanager reads its configuration from.
   * @default "alertmanager-kube-prometheus-stack-alertmanager" — kube-prometheus-stack installed as release "kube-prometheus-stack".
   */
  readonly alertmanagerSecretName?: string;
  /** Accepted exceptions to policy rules, each with a rule, a resource and a reason. */
  readonly suppressions?: readonly Suppression[];
  /**
   * Name of the cluster of `environment` whose Prometheus, Alertmanager and Grafana read this configuration:
   * the stack gets that cluster's provider and its own state (`monitoringConfigStackName`). The content is
   * the caller's: a standby's should be generated for it (`generateMonitoring({ cluster })`).
   * @default the environment's primary cluster
   */
  readonly cluster?: string;
}

export interface MonitoringConfigResult {
  readonly stack: RenderedStack;
  /** The stack's cdk.tf.json text, byte-identical for identical inputs. */
  readonly json: string;
  /** Unsuppressed findings (warnings only: errors throw a PolicyError). */
  readonly findings: PolicyFinding[];
  readonly suppressed: SuppressedFinding[];
}

/**
 * Synthesizes the monitoring-config stack of one cluster of an environment (its primary unless `cluster`
 * names another): with the backend and provider of that cluster's other stacks, the prometheus-operator objects, Grafana dashboards (ConfigMaps for
 * the dashboard sidecar) and the Alertmanager configuration (a Secret), checked against the policy.
 * Pure: writes nothing. Throws a SpecError naming each bad object or dashboard, or a PolicyError.
 */
export function synthMonitoringConfig(options: MonitoringConfigOptions): MonitoringConfigResult {
  const env = environmentNamed(options.platform, options.environment);
  const objects = parseMonitoringObjects(options.objects, options.platform, env);
  checkDashboards(options.dashboards, env);
  if (options.alertmanagerConfig.trim() === '') {
    throw new SpecError(`monitoring-config for ${env.name}`, [{ path: 'alertmanagerConfig', message: 'is empty: the Alertmanager would keep no routes' }]);
  }
  if (options.alertmanagerSecretName !== undefined) {
    const name = Dns1123Subdomain.safeParse(options.alertmanagerSecretName);
    if (!name.success) throw new SpecError(`monitoring-config for ${env.name}`, problemsOf(name.error, ['alertmanagerSecretName']));
  }
  const cluster = clusterNamed(env, options.cluster);
  const stackName = monitoringConfigStackName(cluster);
  const [stack] = renderBuilt((root) => [
    {
      name: stackName,
      cluster: cluster.name,
      stack: monitoringConfigStack(root, {
        environment: env,
        cluster,
        stackName,
        objects,
        dashboards: options.dashboards,
        alertmanagerConfig: options.alertmanagerConfig,
        ...(options.alertmanagerSecretName ? { alertmanagerSecretName: options.alertmanagerSecretName } : {}),
      }),
    },
  ]);
  const rendered = stack as RenderedStack;
  const report = checkPolicy({ environment: env, stacks: [rendered], ...(options.suppressions ? { suppressions: options.suppressions } : {}) });
  if (report.findings.some((f) => f.severity === 'error')) throw new PolicyError(env.name, report.findings);
  return { stack: rendered, json: normalizedJsonText(rendered.config), findings: report.findings, suppressed: report.suppressed };
}
