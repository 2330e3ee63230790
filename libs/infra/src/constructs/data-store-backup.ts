import type { Construct, ITerraformDependable } from '../cdktf.js';
import { primaryCluster, type Cluster, type Environment, type Service } from '@cios/platform-spec';
import { CronJobV1, ServiceAccountV1, type CronJobV1SpecJobTemplateSpecTemplateSpec } from '../k8s.js';
import { BACKUP_OF_LABEL, SUSPENDED_BECAUSE_ANNOTATION, serviceLabels } from '../labels.js';
import { restrictedContainerSecurity, secretEnv } from './pod.js';

export interface DataStoreBackupProps {
  readonly service: Service & { readonly backup: NonNullable<Service['backup']> };
  readonly environment: Environment;
  /** The cluster the job runs in: names its destination prefix; a secondary's job is rendered suspended. */
  readonly cluster: Pick<Cluster, 'name' | 'role'>;
  readonly namespace: string;
  readonly version: string;
  readonly image: string;
  /** Host the job dumps from: the primary pod, never a Service that may answer from a standby. */
  readonly sourceHost: string;
  /** Pod labels the store's NetworkPolicy admits. */
  readonly podLabels: Record<string, string>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * `<destination>/<environment>/<cluster>/`: each cluster writes and prunes its own prefix, so a standby (or
 * dev) can never mix its backups with the primary's restore points nor let its retention delete them.
 */
export function backupDestinationFor(destination: string, environment: Pick<Environment, 'name'>, cluster: Pick<Cluster, 'name'>): string {
  return `${destination.replace(/\/+$/, '')}/${environment.name}/${cluster.name}/`;
}

/**
 * The backup CronJob of one data store and its ServiceAccount (no token: the job talks to no Kubernetes API),
 * added to the store's own scope so their Terraform addresses stay those of earlier releases.
 */
export function addBackupJob(scope: Construct, props: DataStoreBackupProps): CronJobV1 {
  const { service, environment, cluster, namespace, dependsOn } = props;
  const backup = service.backup;
  const labels = {
    ...serviceLabels(service, environment, props.version, 'backup'),
    ...props.podLabels,
    'app.kubernetes.io/instance': `${service.name}-backup-${environment.name}`,
    [BACKUP_OF_LABEL]: service.name,
  };
  const standby = cluster.role === 'secondary';
  // A standby holds no data of its own until it is restored from the primary's backups: backing it up
  // would only produce empty restore points. Suspended rather than left out, so failover is one patch.
  const annotations = standby
    ? {
        [SUSPENDED_BECAUSE_ANNOTATION]: `standby cluster of ${environment.name}: restored from ${primaryCluster(environment).name}'s backups; resume after failover (libs/infra/docs/restore.md)`,
      }
    : undefined;
  new ServiceAccountV1(scope, 'backup-service-account', {
    metadata: { name: `${service.name}-backup`, namespace, labels },
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
        image: props.image,
        imagePullPolicy: 'IfNotPresent',
        command: [...backup.command],
        env: [
          { name: 'BACKUP_SOURCE_HOST', value: props.sourceHost },
          { name: 'BACKUP_SOURCE_PORT', value: String(service.port) },
          { name: 'BACKUP_RETENTION_DAYS', value: String(backup.retentionDays) },
          ...(backup.destination
            ? [{ name: 'BACKUP_DESTINATION', value: backupDestinationFor(backup.destination, environment, cluster) }]
            : []),
          ...secretEnv(backup.secrets),
        ],
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        securityContext: restrictedContainerSecurity(service.runAsUser),
        volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volume: [{ name: 'tmp', emptyDir: { sizeLimit: '20Gi' } }],
  };
  return new CronJobV1(scope, 'backup', {
    metadata: { name: `${service.name}-backup`, namespace, labels, ...(annotations ? { annotations } : {}) },
    spec: {
      schedule: backup.schedule,
      timezone: 'Etc/UTC',
      suspend: standby,
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 3000,
          template: { metadata: { labels }, spec: jobSpec },
        },
      },
    },
    dependsOn,
  });
}
