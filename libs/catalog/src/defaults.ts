import type { ServiceInput } from '@cios/platform-spec';

/** Image registry every CIOS-built image is pushed to. */
export const REGISTRY = 'ghcr.io/cios';

/** The two objectives every request-serving CIOS service promises (issue targets: 99.9 %, p95 < 200 ms). */
export const STANDARD_SLOS: ServiceInput['slos'] = [
  { name: 'availability', sli: 'availability', objective: 99.9, description: '99.9 % of requests succeed (non-5xx)' },
  { name: 'latency-p95', sli: 'latency', objective: 95, thresholdMs: 200, description: '95 % of requests finish within 200 ms' },
];

/** Baseline replicas: one in dev, two in staging, three in prod (one per zone). */
export const STANDARD_REPLICAS = { dev: 1, staging: 2, prod: 3 } as const;

const NODE_RESOURCES = {
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
};

type Overrides = Omit<ServiceInput, 'name' | 'tier' | 'image' | 'port' | 'replicas' | 'resources' | 'health' | 'dataClassification'> &
  Partial<Pick<ServiceInput, 'image' | 'port' | 'replicas' | 'resources' | 'health' | 'dataClassification'>>;

/**
 * A stateless HTTP service with CIOS defaults: port 8080, /healthz and /readyz, CPU autoscaling,
 * the standard SLOs, confidential data; anything given in `overrides` wins.
 */
export function httpService(name: string, tier: ServiceInput['tier'], overrides: Overrides = {}): ServiceInput {
  return {
    name,
    tier,
    workload: 'stateless',
    runtime: 'node',
    image: `${REGISTRY}/${name}`,
    port: 8080,
    replicas: { ...STANDARD_REPLICAS },
    resources: NODE_RESOURCES,
    autoscaling: { minReplicas: 3, maxReplicas: 10, cpuTargetPercent: 70 },
    health: { liveness: '/healthz', readiness: '/readyz', startup: '/healthz' },
    dataClassification: 'confidential',
    slos: STANDARD_SLOS,
    sourceDir: `services/${name}`,
    ...overrides,
  };
}
