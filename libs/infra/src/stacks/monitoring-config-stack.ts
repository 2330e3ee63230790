import { monitoringNamespaceFor, type Cluster, type Environment, type KubernetesObject } from '@cios/platform-spec';
import type { Construct, TerraformStack } from '../cdktf.js';
import { CiosMonitoringConfig } from '../constructs/cios-monitoring-config.js';
import { baseStack } from './cluster-stacks.js';

export interface MonitoringConfigStackProps {
  readonly environment: Environment;
  /** The cluster whose Prometheus, Alertmanager and Grafana read this configuration. */
  readonly cluster: Cluster;
  readonly stackName: string;
  readonly objects: readonly KubernetesObject[];
  readonly dashboards: Readonly<Record<string, string>>;
  readonly alertmanagerConfig: string;
  /** @default see CiosMonitoringConfigProps.alertmanagerSecretName */
  readonly alertmanagerSecretName?: string;
}

/** The monitoring configuration on one cluster, with the same backend and provider as its other stacks. */
export function monitoringConfigStack(scope: Construct, props: MonitoringConfigStackProps): TerraformStack {
  const stack = baseStack(scope, props);
  new CiosMonitoringConfig(stack, 'monitoring', {
    namespace: monitoringNamespaceFor(props.environment),
    objects: props.objects,
    dashboards: props.dashboards,
    alertmanagerConfig: props.alertmanagerConfig,
    ...(props.alertmanagerSecretName ? { alertmanagerSecretName: props.alertmanagerSecretName } : {}),
  });
  return stack;
}
