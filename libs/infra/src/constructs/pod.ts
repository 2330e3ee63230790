import type { Environment, SecretRef, Service } from '@cios/platform-spec';
import type { DeploymentV1SpecTemplateSpec, DeploymentV1SpecTemplateSpecContainer as Container } from '../k8s.js';

/** The restricted Pod Security Standard, container part: what PSA `restricted` admits. */
export const RESTRICTED_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export function restrictedContainerSecurity(runAsUser: number) {
  return {
    ...RESTRICTED_CONTAINER_SECURITY,
    capabilities: { drop: [...RESTRICTED_CONTAINER_SECURITY.capabilities.drop] },
    seccompProfile: { ...RESTRICTED_CONTAINER_SECURITY.seccompProfile },
    runAsUser: String(runAsUser),
    runAsGroup: String(runAsUser),
  };
}

export function secretEnv(secrets: readonly SecretRef[]) {
  return secrets.map((s) => ({
    name: s.env,
    valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: false } },
  }));
}

/** Scratch directories as emptyDir volumes: the root filesystem is read-only. */
export function scratchVolumes(paths: readonly string[]) {
  const all = ['/tmp', ...paths.filter((p) => p !== '/tmp')];
  return all.map((path, i) => ({
    name: i === 0 ? 'tmp' : `scratch-${i}`,
    path,
  }));
}

function probe(service: Service, path: string, kind: 'liveness' | 'readiness' | 'startup') {
  const timing =
    kind === 'startup'
      ? { initialDelaySeconds: 0, periodSeconds: 5, failureThreshold: 30, timeoutSeconds: 2 }
      : kind === 'liveness'
        ? { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 }
        : { initialDelaySeconds: 0, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 2 };
  return service.health.protocol === 'tcp'
    ? { tcpSocket: [{ port: String(service.port) }], ...timing }
    : { httpGet: { path, port: String(service.port), scheme: 'HTTP' }, ...timing };
}

export interface PodOptions {
  readonly service: Service;
  readonly environment: Environment;
  readonly image: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly serviceAccountName: string;
  /** The cluster's region: pods are pinned to nodes there so data never leaves it. */
  readonly region: string;
  /** Set when the service has plain settings rendered into a ConfigMap. */
  readonly configMapName?: string;
  /** Extra volume mounts (the StatefulSet's data volume). */
  readonly dataMount?: { readonly name: string; readonly path: string };
}

/** The main container of a CIOS workload: restricted security, requests and limits, three probes. */
export function mainContainer(o: PodOptions): Container {
  const { service } = o;
  const scratch = scratchVolumes(service.scratchPaths);
  return {
    name: service.name,
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    port: [{ name: 'http', containerPort: service.port, protocol: 'TCP' }],
    envFrom: [
      ...(o.configMapName ? [{ configMapRef: { name: o.configMapName, optional: false } }] : []),
      ...service.config.configMaps.map((name) => ({ configMapRef: { name, optional: false } })),
    ],
    env: secretEnv(service.config.secrets),
    resources: {
      requests: { cpu: service.resources.requests.cpu, memory: service.resources.requests.memory },
      limits: { cpu: service.resources.limits.cpu, memory: service.resources.limits.memory },
    },
    livenessProbe: probe(service, service.health.liveness, 'liveness'),
    readinessProbe: probe(service, service.health.readiness, 'readiness'),
    startupProbe: probe(service, service.health.startup ?? service.health.liveness, 'startup'),
    securityContext: restrictedContainerSecurity(service.runAsUser),
    volumeMount: [
      ...scratch.map((v) => ({ name: v.name, mountPath: v.path })),
      ...(o.dataMount ? [{ name: o.dataMount.name, mountPath: o.dataMount.path }] : []),
    ],
  };
}

/**
 * The pod spec shared by Deployments and StatefulSets: spread over zones and nodes, pinned to the
 * environment's Canadian region, restricted pod security context, no service account token unless asked.
 */
export function podSpec(o: PodOptions): DeploymentV1SpecTemplateSpec {
  const { service, environment } = o;
  return {
    serviceAccountName: o.serviceAccountName,
    automountServiceAccountToken: service.automountServiceAccountToken,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: service.workload === 'stateful' ? 120 : 30,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: String(service.runAsUser),
      runAsGroup: String(service.runAsUser),
      fsGroup: String(service.runAsUser),
      seccompProfile: { type: 'RuntimeDefault' },
    },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerm: [
            {
              matchExpressions: [
                {
                  key: 'topology.kubernetes.io/region',
                  operator: 'In',
                  values: [o.region],
                },
              ],
            },
          ],
        },
      },
    },
    topologySpreadConstraint: [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: environment.kind === 'prod' ? 'DoNotSchedule' : 'ScheduleAnyway',
        labelSelector: [{ matchLabels: o.selector }],
      },
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: [{ matchLabels: o.selector }],
      },
    ],
    container: [mainContainer(o)],
    volume: scratchVolumes(service.scratchPaths).map((v) => ({
      name: v.name,
      emptyDir: { sizeLimit: '256Mi' },
    })),
  };
}
