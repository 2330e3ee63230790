import type { IResolvable } from 'cdktf';
import { Construct } from '../cdktf.js';
import { replicasIn, type Cluster } from '@cios/platform-spec';
import {
  ConfigMapV1,
  CronJobV1,
  NetworkPolicyV1,
  PodDisruptionBudgetV1,
  ServiceV1,
  StatefulSetV1,
  type DeploymentV1SpecTemplateSpec,
  type DeploymentV1SpecTemplateSpecContainer as Container,
  type StatefulSetV1SpecTemplateSpec,
} from '../k8s.js';
import { POD_NAME_LABEL, REPLICATION_ANNOTATION, selectorLabels, serviceLabels } from '../labels.js';
import { addBackupJob } from './data-store-backup.js';
import { podSpec } from './pod.js';
import { podHost, primaryOrdinalIn, replicationPlan, REPLICATION_CONFIG_MAP_SUFFIX, type ReplicationPlan } from './replication/engines.js';
import { ingressRulesFor, metricsAnnotations, type WorkloadProps } from './service-common.js';
import { sortedRecord, workloadIdentityAndConfig } from './workload-identity.js';

export interface CiosDataStoreProps extends WorkloadProps {
  /**
   * The cluster the store runs in. Its name keeps each cluster's backups under their own prefix
   * (`<destination>/<environment>/<cluster>/`); a `secondary` (DR standby) renders its backup CronJob suspended.
   * No default: a wrong name would mix restore points, so the stack must say.
   */
  readonly cluster: Pick<Cluster, 'name' | 'role'>;
  /**
   * Access mode of each replica's volume.
   * @default "ReadWriteOnce" — a database replica owns its disk; shared volumes corrupt data.
   */
  readonly accessMode?: string;
  /**
   * Image of the backup job.
   * @default the catalog's backup.image — a release may pin it by digest instead (see backupImageFor).
   */
  readonly backupImage?: string;
}

/**
 * A stateful service of the data tier: StatefulSet with a volume claim per replica, a headless governing
 * Service for stable identities, a client Service, a PDB, a NetworkPolicy, and a backup CronJob on the spec's
 * schedule (the policy checks it meets the RPO) passing its retention to the job.
 *
 * With `replication` in the spec, the replicas follow one primary (the pod at `primaryOrdinal`, 0 by default):
 * the client Service selects that pod alone (engines whose pods all serve, Qdrant, keep every pod), the backup
 * job dumps from it, and the store's own pods may reach each other on the replication ports. Failover is manual
 * (libs/infra/docs/restore.md): without an operator nothing promotes a standby.
 */
export class CiosDataStore extends Construct {
  readonly replicas: number;
  readonly statefulSet: StatefulSetV1;
  /** The pod that takes writes, when the spec declares replication. */
  readonly primaryOrdinal?: number;
  readonly replication?: ReplicationPlan;
  readonly backup?: CronJobV1;

  constructor(scope: Construct, id: string, props: CiosDataStoreProps) {
    super(scope, id);
    const { service, environment, namespace } = props;
    if (!service.storage) throw new Error(`${service.name} is stateful but declares no storage`);
    const labels = serviceLabels(service, environment, props.version, 'database');
    const selector = selectorLabels(service, environment);
    const dependsOn = props.dependsOn ? [...props.dependsOn] : undefined;
    const metadata = (name: string, extra: Record<string, string> = {}) => ({
      name,
      namespace,
      labels: { ...labels, ...extra },
    });
    this.replicas = replicasIn(environment, service.replicas);
    const headless = `${service.name}-headless`;

    const configMapName = workloadIdentityAndConfig(this, service, metadata, dependsOn);

    let spec = podSpec({
      service,
      environment,
      image: props.image,
      labels,
      selector,
      region: props.region,
      serviceAccountName: service.name,
      ...(configMapName ? { configMapName } : {}),
      dataMount: { name: 'data', path: service.storage.mountPath },
    }) as StatefulSetV1SpecTemplateSpec;

    let plan: ReplicationPlan | undefined;
    if (service.replication) {
      this.primaryOrdinal = primaryOrdinalIn(service, service.replication, environment, this.replicas);
      const main = listOf((spec as DeploymentV1SpecTemplateSpec).container)[0] as Container;
      plan = replicationPlan({
        service,
        replication: service.replication,
        namespace,
        headless,
        replicas: this.replicas,
        primaryOrdinal: this.primaryOrdinal,
        main,
      });
      this.replication = plan;
      spec = withPlan(spec, main, plan);
      if (Object.keys(plan.files).length > 0) {
        new ConfigMapV1(this, 'replication-config', {
          metadata: metadata(`${service.name}${REPLICATION_CONFIG_MAP_SUFFIX}`),
          data: sortedRecord({ ...plan.files }),
          dependsOn,
        });
      }
    }
    const primary = this.primaryOrdinal;

    const port = { name: 'tcp', port: service.port, targetPort: String(service.port), protocol: 'TCP' };
    const peerPorts = (plan?.extraPorts ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: String(p.port), protocol: 'TCP' }));
    new ServiceV1(this, 'headless', {
      metadata: metadata(headless),
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, port: [port, ...peerPorts] },
      dependsOn,
    });
    // Apps connect here: to the primary alone when the others are read-only followers.
    const clientSelector =
      plan?.mode === 'primary' && primary !== undefined ? { ...selector, [POD_NAME_LABEL]: `${service.name}-${primary}` } : selector;
    new ServiceV1(this, 'service', {
      metadata: metadata(service.name),
      spec: { type: 'ClusterIP', selector: clientSelector, port: [port] },
      dependsOn,
    });

    this.statefulSet = new StatefulSetV1(this, 'statefulset', {
      metadata: { ...metadata(service.name), ...(plan ? { annotations: { [REPLICATION_ANNOTATION]: plan.mode } } : {}) },
      spec: {
        serviceName: headless,
        replicas: String(this.replicas),
        // Ordered: pod 0, the primary unless failed over, is up before a standby tries to clone it. After a
        // failover an empty pod 0 clones pod 1, which must then already run (restore.md, step 4).
        podManagementPolicy: 'OrderedReady',
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        updateStrategy: [{ type: 'RollingUpdate', rollingUpdate: [{ partition: 0 }] }],
        persistentVolumeClaimRetentionPolicy: [{ whenDeleted: 'Retain', whenScaled: 'Retain' }],
        template: { metadata: { labels, annotations: metricsAnnotations(service) }, spec },
        volumeClaimTemplate: [
          {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: [props.accessMode ?? 'ReadWriteOnce'],
              ...(service.storage.storageClass ? { storageClassName: service.storage.storageClass } : {}),
              resources: { requests: { storage: service.storage.size } },
            },
          },
        ],
      },
      waitForRollout: true,
      dependsOn,
    });

    if (this.replicas >= 2) {
      new PodDisruptionBudgetV1(this, 'pdb', {
        metadata: metadata(service.name),
        spec: { maxUnavailable: '1', selector: { matchLabels: selector } },
        dependsOn,
      });
    }

    const backupPodLabels = { 'app.kubernetes.io/name': `${service.name}-backup` };
    // Replicas reach the primary (and Qdrant peers each other) on the replication ports; nothing else may.
    const peerRule =
      plan && this.replicas >= 2
        ? [{ from: [{ podSelector: { matchLabels: selector } }], ports: plan.peerPorts.map((p) => ({ port: String(p), protocol: 'TCP' })) }]
        : [];
    new NetworkPolicyV1(this, 'network-policy', {
      metadata: metadata(`${service.name}-ingress`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: [...ingressRulesFor(props, service.backup ? [backupPodLabels] : []), ...peerRule],
      },
      dependsOn,
    });

    if (service.backup) {
      this.backup = addBackupJob(this, {
        service: { ...service, backup: service.backup },
        environment,
        cluster: props.cluster,
        namespace,
        version: props.version,
        image: props.backupImage ?? service.backup.image,
        // The primary pod by name: a dump of a standby may lag, and a Service could answer from either.
        sourceHost: primary !== undefined ? podHost({ service, headless, namespace }, primary) : `${service.name}.${namespace}.svc`,
        podLabels: backupPodLabels,
        ...(dependsOn ? { dependsOn } : {}),
      });
    }
  }
}

/** A list podSpec built itself (never a Terraform token), as an array. */
function listOf<T>(value: readonly T[] | IResolvable | undefined): T[] {
  return Array.isArray(value) ? [...(value as readonly T[])] : [];
}

/** The pod podSpec rendered, with the engine's start-up, environment, mounts, ports and init containers. */
function withPlan(spec: StatefulSetV1SpecTemplateSpec, main: Container, plan: ReplicationPlan): StatefulSetV1SpecTemplateSpec {
  const container: Container = {
    ...main,
    ...(plan.command ? { command: [...plan.command] } : {}),
    ...(plan.args ? { args: [...plan.args] } : {}),
    port: [...listOf(main.port), ...plan.extraPorts.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' }))],
    // The plan's variables first: the kubelet expands $(POD_NAME) in later values and in args only when defined before.
    env: [...plan.env, ...listOf(main.env)],
    volumeMount: [...listOf(main.volumeMount), ...plan.volumeMounts],
  };
  const pod = spec as DeploymentV1SpecTemplateSpec;
  return {
    ...pod,
    container: [container],
    ...(plan.initContainers.length > 0 ? { initContainer: [...plan.initContainers] } : {}),
    volume: [...listOf(pod.volume), ...plan.volumes],
  } as StatefulSetV1SpecTemplateSpec;
}
