import { Construct } from '../cdktf.js';
import { replicasIn } from '@cios/platform-spec';
import {
  CronJobV1,
  NetworkPolicyV1,
  PodDisruptionBudgetV1,
  ServiceAccountV1,
  ServiceV1,
  StatefulSetV1,
  type StatefulSetV1SpecTemplateSpec,
  type CronJobV1SpecJobTemplateSpecTemplateSpec,
} from '../k8s.js';
import { BACKUP_OF_LABEL, selectorLabels, serviceLabels } from '../labels.js';
import { podSpec, restrictedContainerSecurity, secretEnv } from './pod.js';
import { ingressRulesFor, metricsAnnotations, type WorkloadProps } from './service-common.js';
import { workloadIdentityAndConfig } from './workload-identity.js';

export interface CiosDataStoreProps extends WorkloadProps {
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
 * A stateful service of the data tier: StatefulSet with a volume claim per replica, a headless
 * Service for stable identities, a client Service, a PDB, a NetworkPolicy, and a backup CronJob on
 * the spec's schedule (the policy checks it meets the RPO) passing its retention to the job.
 */
export class CiosDataStore extends Construct {
  readonly replicas: number;
  readonly statefulSet: StatefulSetV1;
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

    const configMapName = workloadIdentityAndConfig(this, service, metadata, dependsOn);

    const port = [{ name: 'tcp', port: service.port, targetPort: String(service.port), protocol: 'TCP' }];
    new ServiceV1(this, 'headless', {
      metadata: metadata(`${service.name}-headless`),
      spec: { clusterIp: 'None', publishNotReadyAddresses: true, selector, port },
      dependsOn,
    });
    new ServiceV1(this, 'service', {
      metadata: metadata(service.name),
      spec: { type: 'ClusterIP', selector, port },
      dependsOn,
    });

    const spec = podSpec({
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

    this.statefulSet = new StatefulSetV1(this, 'statefulset', {
      metadata: metadata(service.name),
      spec: {
        serviceName: `${service.name}-headless`,
        replicas: String(this.replicas),
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
    new NetworkPolicyV1(this, 'network-policy', {
      metadata: metadata(`${service.name}-ingress`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress'],
        ingress: ingressRulesFor(props, service.backup ? [backupPodLabels] : []),
      },
      dependsOn,
    });

    if (service.backup) {
      const backup = service.backup;
      const backupLabels = {
        ...serviceLabels(service, environment, props.version, 'backup'),
        ...backupPodLabels,
        'app.kubernetes.io/instance': `${service.name}-backup-${environment.name}`,
        [BACKUP_OF_LABEL]: service.name,
      };
      new ServiceAccountV1(this, 'backup-service-account', {
        metadata: { name: `${service.name}-backup`, namespace, labels: backupLabels },
        automountServiceAccountToken: false,
        dependsOn,
      });
      const jobSpec: CronJobV1SpecJobTemplateSpecTemplateSpec = {
        serviceAccountName: `${service.name}-backup`,
        automountServiceAccountToken: false,
        restartPolicy: 'OnFailure',
        securityContext: {
          runAsNonRoot: true,
          runAsUser: String(service.runAsUser),
          runAsGroup: String(service.runAsUser),
          seccompProfile: { type: 'RuntimeDefault' },
        },
        container: [
          {
            name: 'backup',
            image: props.backupImage ?? backup.image,
            imagePullPolicy: 'IfNotPresent',
            command: [...backup.command],
            env: [
              { name: 'BACKUP_SOURCE_HOST', value: `${service.name}.${namespace}.svc` },
              { name: 'BACKUP_SOURCE_PORT', value: String(service.port) },
              { name: 'BACKUP_RETENTION_DAYS', value: String(backup.retentionDays) },
              ...(backup.destination ? [{ name: 'BACKUP_DESTINATION', value: backup.destination }] : []),
              ...secretEnv(backup.secrets),
            ],
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
            securityContext: restrictedContainerSecurity(service.runAsUser),
            volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volume: [{ name: 'tmp', emptyDir: { sizeLimit: '20Gi' } }],
      };
      this.backup = new CronJobV1(this, 'backup', {
        metadata: { name: `${service.name}-backup`, namespace, labels: backupLabels },
        spec: {
          schedule: backup.schedule,
          timezone: 'Etc/UTC',
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 5,
          jobTemplate: {
            metadata: { labels: backupLabels },
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: 3000,
              template: { metadata: { labels: backupLabels }, spec: jobSpec },
            },
          },
        },
        dependsOn,
      });
    }
  }
}
