/**
 * Kubernetes label and annotation keys that are a contract between projects: the infra constructs write
 * them, the monitoring rules read them back through kube-state-metrics. One definition keeps the two from drifting.
 */

/** Recommended label naming the service; part of every workload's selector. */
export const SERVICE_NAME_LABEL = 'app.kubernetes.io/name';

/** Recommended label carrying the release (image tag or digest prefix); the release markers read it. */
export const SERVICE_VERSION_LABEL = 'app.kubernetes.io/version';

/** On an object rendered inert on purpose (a standby's backup CronJob): why, and what turns it back on. */
export const SUSPENDED_BECAUSE_ANNOTATION = 'cios.ca/suspended-because';
