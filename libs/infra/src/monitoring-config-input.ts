import {
  KubernetesObject,
  SpecError,
  byCodePoint,
  formatPath,
  ingressNamespaceFor,
  monitoringNamespaceFor,
  namespaceFor,
  servicesIn,
  type Environment,
  type Platform,
  type SpecProblem,
} from '@cios/platform-spec';

/**
 * prometheus-operator's API group. The monitoring-config stack applies only its objects: anything else
 * (a Deployment, say) would reach the cluster without the checks the platform and services stacks get.
 */
export const OPERATOR_API_GROUP = 'monitoring.coreos.com';

/** Kubernetes refuses an object over 1 MiB (etcd's limit); a dashboard's ConfigMap needs room for metadata. */
export const MAX_DASHBOARD_BYTES = 1_000_000;

/** A dashboard's file name: its stem names the ConfigMap, so it must be a DNS-1123 label. */
const DASHBOARD_FILE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.json$/;

/** How an error names an object, from whatever it has: its kind and name, or which of them it lacks. */
function describeObject(raw: unknown): string {
  const object = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const kind = typeof object['kind'] === 'string' && object['kind'] !== '' ? object['kind'] : undefined;
  const metadata = object['metadata'] !== null && typeof object['metadata'] === 'object' ? (object['metadata'] as Record<string, unknown>) : {};
  const name = typeof metadata['name'] === 'string' && metadata['name'] !== '' ? `"${metadata['name']}"` : undefined;
  if (kind && name) return `${kind} ${name}`;
  if (kind) return `a ${kind} without metadata.name`;
  if (name) return `${name}, which has no kind`;
  return 'an object with neither kind nor metadata.name';
}

/**
 * The namespaces the monitoring-config stack may write to: those the platform stack creates for `env` (one per
 * tier its services use, ingress and monitoring) except the node exporter's, which holds only the chart's DaemonSet and,
 * being the one privileged namespace, gets no objects from this stack.
 */
export function environmentNamespaces(platform: Platform, env: Environment): string[] {
  const names = new Set(servicesIn(platform, env).map((s) => namespaceFor(env, s.tier)));
  names.add(monitoringNamespaceFor(env));
  names.add(ingressNamespaceFor(env));
  return [...names].sort(byCodePoint);
}

/**
 * Validates prometheus-operator objects for one environment: the minimal Kubernetes shape, the operator's
 * API group, a namespace the environment has, and no two objects claiming the same cluster object.
 * Throws one SpecError listing every problem, each naming the object by index, kind and name.
 */
export function parseMonitoringObjects(raw: readonly unknown[], platform: Platform, env: Environment): KubernetesObject[] {
  const problems: SpecProblem[] = [];
  const parsed: KubernetesObject[] = [];
  const namespaces = environmentNamespaces(platform, env);
  const seen = new Map<string, number>();
  raw.forEach((input, index) => {
    const at = (path: string) => `objects[${index}] (${describeObject(input)})${path ? ` ${path}` : ''}`;
    const result = KubernetesObject.safeParse(input);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push({ path: at(formatPath(issue.path)), message: issue.message });
      return;
    }
    const object = result.data;
    const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
    const before = problems.length;
    if (group !== OPERATOR_API_GROUP) {
      problems.push({
        path: at('apiVersion'),
        message: `is "${object.apiVersion}": only prometheus-operator objects (${OPERATOR_API_GROUP}/…) belong in the monitoring-config stack`,
      });
    }
    const namespace = object.metadata.namespace;
    if (namespace === undefined) {
      problems.push({ path: at('metadata.namespace'), message: "is missing: prometheus-operator's objects are namespaced" });
    } else if (!namespaces.includes(namespace)) {
      problems.push({ path: at('metadata.namespace'), message: `"${namespace}" is not a namespace of ${env.name} (${namespaces.join(', ')})` });
    }
    const key = `${object.kind}/${namespace ?? ''}/${object.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ path: at(''), message: `is the same cluster object as objects[${first}]: each object may appear once` });
    } else {
      seen.set(key, index);
    }
    if (problems.length === before) parsed.push(object);
  });
  if (problems.length > 0) throw new SpecError(`monitoring-config objects for ${env.name}`, problems);
  return parsed;
}

/** Validates Grafana dashboards (file name → JSON text) before they become ConfigMaps; throws a SpecError. */
export function checkDashboards(dashboards: Readonly<Record<string, string>>, env: Environment): void {
  const problems: SpecProblem[] = [];
  for (const file of Object.keys(dashboards).sort(byCodePoint)) {
    const text = dashboards[file] as string;
    const at = `dashboards["${file}"]`;
    if (!DASHBOARD_FILE.test(file)) {
      problems.push({ path: at, message: 'must be named "<name>.json" with <name> a DNS-1123 label (it names the ConfigMap)' });
      continue;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_DASHBOARD_BYTES) {
      problems.push({ path: at, message: `is ${bytes} bytes; a ConfigMap holds at most about ${MAX_DASHBOARD_BYTES} (Kubernetes refuses objects over 1 MiB)` });
      continue;
    }
    let dashboard: unknown;
    try {
      dashboard = JSON.parse(text);
    } catch (error) {
      problems.push({ path: at, message: `is not valid JSON (${(error as Error).message})` });
      continue;
    }
    const uid = dashboard !== null && typeof dashboard === 'object' ? (dashboard as Record<string, unknown>)['uid'] : undefined;
    if (typeof uid !== 'string' || uid === '') {
      // Grafana would invent a uid, and the alerts' dashboard_url links (built from the uid) would lead nowhere.
      problems.push({ path: `${at}.uid`, message: 'is missing: a provisioned dashboard needs a fixed uid for links to reach it' });
    }
  }
  if (problems.length > 0) throw new SpecError(`monitoring-config dashboards for ${env.name}`, problems);
}
