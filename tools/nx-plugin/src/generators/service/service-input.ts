import type { ServiceInput } from '@cios/platform-spec';
import type { ServiceGeneratorSchema } from './schema.js';

/** Requests and limits per runtime: what CIOS services of that kind settled on in the catalog. */
export const RESOURCES_BY_RUNTIME: Record<string, ServiceInput['resources']> = {
  node: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  python: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  static: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
};

/** One replica in dev, two in staging, three in prod (one per zone), as every catalog service. */
export const DEFAULT_REPLICAS = { dev: 1, staging: 2, prod: 3 };

export function splitList(value: string | readonly string[] | undefined): string[] {
  const items = typeof value === 'string' ? value.split(',') : [...(value ?? [])];
  return [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))];
}

/**
 * The catalog entry the options describe, before validation: every default written out, so the
 * catalog shows exactly what runs and a reviewer never has to know a helper's defaults.
 */
export function serviceInputFrom(options: ServiceGeneratorSchema): ServiceInput {
  const runtime = options.runtime ?? 'node';
  const threshold = options.latencyThresholdMs ?? 200;
  const availability = options.availabilityObjective ?? 99.9;
  const latency = options.latencyObjective ?? 95;
  const input: ServiceInput = {
    name: options.name,
    ...(options.description ? { description: options.description } : {}),
    tier: options.tier as ServiceInput['tier'],
    workload: 'stateless',
    runtime: runtime as ServiceInput['runtime'],
    image: `${options.registry ?? 'ghcr.io/cios'}/${options.name}`,
    port: options.port ?? 8080,
    replicas: { ...DEFAULT_REPLICAS },
    resources: RESOURCES_BY_RUNTIME[runtime] ?? (RESOURCES_BY_RUNTIME['node'] as ServiceInput['resources']),
    autoscaling: { minReplicas: options.minReplicas ?? 3, maxReplicas: options.maxReplicas ?? 10, cpuTargetPercent: 70 },
    health: { liveness: '/healthz', readiness: '/readyz', startup: '/healthz' },
    ...(options.host ? { ingress: { host: options.host, path: '/' } } : {}),
    dependsOn: splitList(options.dependsOn),
    dataClassification: (options.dataClassification ?? 'confidential') as ServiceInput['dataClassification'],
    slos: [
      {
        name: 'availability',
        sli: 'availability',
        objective: availability,
        description: `${availability} % of requests succeed (non-5xx)`,
      },
      {
        name: `latency-p${latency}`.replace('.', '-'),
        sli: 'latency',
        objective: latency,
        thresholdMs: threshold,
        description: `${latency} % of requests finish within ${threshold} ms`,
      },
    ],
    sourceDir: `services/${options.name}`,
  };
  return input;
}
