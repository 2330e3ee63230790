import { monitoringNamespaceFor, type Cluster, type Environment } from '@cios/platform-spec';
import type { Construct, TerraformStack } from '../cdktf.js';
import { CiosMonitoringConfig, type CiosMonitoringConfigProps } from '../constructs/cios-monitoring-config.js';
import { baseStack } from './cluster-stacks.js';

/** The construct's content props (its namespace is the environment's monitoring namespace), on one cluster. */
export interface MonitoringConfigStackProps extends Pick<CiosMonitoringConfigProps, 'objects' | 'dashboards' | 'alertmanagerConfig' | 'alertmanagerSecretName'> {
  readonly environment: Environment;
  /** The cluster whose Prometheus, Alertmanager and Grafana read this configuration. */
  readonly cluster: Cluster;
  readonly stackName: string;
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
