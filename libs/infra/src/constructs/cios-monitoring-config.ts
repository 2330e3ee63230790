import type { KubernetesObject } from '@cios/platform-spec';
import { Construct } from '../cdktf.js';
import { ConfigMapV1, Manifest, SecretV1 } from '../k8s.js';
import { MANAGED_BY, PART_OF, platformLabels } from '../labels.js';
import { terraformLiteral, terraformLiteralDeep } from '../terraform-literal.js';

/** kube-prometheus-stack installed as Helm release "kube-prometheus-stack": its Alertmanager's config Secret. */
export const DEFAULT_ALERTMANAGER_SECRET = 'alertmanager-kube-prometheus-stack-alertmanager';

/** The label kube-prometheus-stack's Grafana dashboard sidecar looks for (grafana.sidecar.dashboards.label/labelValue). */
export const DEFAULT_DASHBOARD_LABELS: Readonly<Record<string, string>> = { grafana_dashboard: '1' };

/** The key prometheus-operator reads an Alertmanager's configuration from. */
export const ALERTMANAGER_CONFIG_KEY = 'alertmanager.yaml';

export interface CiosMonitoringConfigProps {
  /** The environment's monitoring namespace (e.g. "prod-monitoring"), where Grafana and the Alertmanager run. */
  readonly namespace: string;
  /**
   * prometheus-operator objects (PrometheusRule, ServiceMonitor, PodMonitor …), already validated
   * (`parseMonitoringObjects`); each is applied as written, in its own namespace.
   */
  readonly objects: readonly KubernetesObject[];
  /** Grafana dashboards, file name ("overview.json") → dashboard JSON, already checked (`checkDashboards`). */
  readonly dashboards: Readonly<Record<string, string>>;
  /** The Alertmanager configuration (alertmanager.yml), credentials by file path only. */
  readonly alertmanagerConfig: string;
  /**
   * The Secret the Alertmanager reads its configuration from (key `alertmanager.yaml`).
   * @default "alertmanager-kube-prometheus-stack-alertmanager" — prometheus-operator reads
   * `alertmanager-<Alertmanager name>`, and kube-prometheus-stack installed as release
   * "kube-prometheus-stack" names its Alertmanager "kube-prometheus-stack-alertmanager". The chart must be
   * told not to write that Secret itself (`alertmanager.alertmanagerSpec.useExistingSecret: true`).
   */
  readonly alertmanagerSecretName?: string;
  /**
   * Labels that make Grafana's dashboard sidecar load a ConfigMap.
   * @default { grafana_dashboard: "1" } — kube-prometheus-stack's sidecar defaults.
   */
  readonly dashboardLabels?: Readonly<Record<string, string>>;
}

/** Recommended labels an object lacks, added without replacing any it has. */
function withRecommendedLabels(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { 'app.kubernetes.io/component': 'monitoring', 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': MANAGED_BY, ...labels };
}

/**
 * A Terraform resource name from a Kubernetes identity: readable in plans and `terraform state` and a
 * function of the object alone, so it never changes while the object does not. Kubernetes names have no
 * "_", so mapping "." to "_" keeps distinct objects distinct.
 */
function resourceId(...parts: string[]): string {
  return parts.map((p) => p.replace(/\./g, '_')).join('_');
}

/**
 * An environment's monitoring configuration as cluster objects: prometheus-operator objects applied as
 * written (`kubernetes_manifest`), each Grafana dashboard as a ConfigMap the dashboard sidecar loads, and
 * the Alertmanager configuration in the Secret prometheus-operator reads it from. Every string is passed
 * to Terraform as a literal (Grafana's `${datasource}` reaches the cluster as written).
 */
export class CiosMonitoringConfig extends Construct {
  constructor(scope: Construct, id: string, props: CiosMonitoringConfigProps) {
    super(scope, id);
    for (const object of props.objects) {
      const namespace = object.metadata.namespace ?? '';
      const manifest = { ...object, metadata: { ...object.metadata, labels: withRecommendedLabels(object.metadata.labels) } };
      const logicalId = resourceId(object.kind.toLowerCase(), namespace, object.metadata.name);
      new Manifest(this, logicalId, { manifest: terraformLiteralDeep(manifest) as Record<string, unknown> }).overrideLogicalId(logicalId);
    }

    const dashboardLabels = props.dashboardLabels ?? DEFAULT_DASHBOARD_LABELS;
    for (const file of Object.keys(props.dashboards)) {
      const stem = file.replace(/\.json$/, '');
      const configMap = new ConfigMapV1(this, `dashboard-${stem}`, {
        metadata: {
          name: `cios-dashboard-${stem}`,
          namespace: props.namespace,
          labels: { ...platformLabels('grafana-dashboards', 'monitoring'), 'app.kubernetes.io/instance': stem, ...dashboardLabels },
        },
        data: { [file]: terraformLiteral(props.dashboards[file] as string) },
      });
      configMap.overrideLogicalId(resourceId('dashboard', stem));
    }

    const secret = new SecretV1(this, 'alertmanager', {
      metadata: {
        name: props.alertmanagerSecretName ?? DEFAULT_ALERTMANAGER_SECRET,
        namespace: props.namespace,
        labels: platformLabels('alertmanager', 'monitoring'),
      },
      type: 'Opaque',
      data: { [ALERTMANAGER_CONFIG_KEY]: terraformLiteral(props.alertmanagerConfig) },
    });
    secret.overrideLogicalId('alertmanager_config');
  }
}
