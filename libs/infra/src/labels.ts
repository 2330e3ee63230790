import { SERVICE_NAME_LABEL, SERVICE_VERSION_LABEL, type Environment, type Service } from '@cios/platform-spec';

export { SUSPENDED_BECAUSE_ANNOTATION } from '@cios/platform-spec';

export const PART_OF = 'cios';
export const MANAGED_BY = 'cios-platform';
/** Marks a backup CronJob with the stateful service it protects; the backup policy rule reads it. */
export const BACKUP_OF_LABEL = 'cios.ca/backup-of';
/** On a StatefulSet whose replicas follow one primary (`primary`) or form a consensus cluster (`peers`). */
export const REPLICATION_ANNOTATION = 'cios.ca/replication';
/** The label the StatefulSet controller puts on each pod: the only per-pod selector available without an operator. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const DATA_CLASSIFICATION_LABEL = 'cios.ca/data-classification';
export const TIER_LABEL = 'cios.ca/tier';
/** On a namespace enforcing less than Pod Security `restricted`: why (required for `privileged`). */
export const POD_SECURITY_REASON_ANNOTATION = 'cios.ca/pod-security-reason';

/** The labels a Deployment's selector uses: never the version, since selectors are immutable. */
export function selectorLabels(service: Pick<Service, 'name'>, env: Pick<Environment, 'name'>): Record<string, string> {
  return {
    [SERVICE_NAME_LABEL]: service.name,
    'app.kubernetes.io/instance': `${service.name}-${env.name}`,
  };
}

/** Kubernetes recommended labels plus CIOS's own, on every object of a service. */
export function serviceLabels(
  service: Pick<Service, 'name' | 'tier' | 'dataClassification'>,
  env: Pick<Environment, 'name'>,
  version: string,
  component: string = service.tier,
): Record<string, string> {
  return {
    ...selectorLabels(service, env),
    [SERVICE_VERSION_LABEL]: version,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [TIER_LABEL]: service.tier,
    [DATA_CLASSIFICATION_LABEL]: service.dataClassification,
  };
}

/** Labels of platform objects that belong to no one service (namespaces, quotas). */
export function platformLabels(name: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}
