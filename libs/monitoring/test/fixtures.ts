import { expect } from 'vitest';
import { Platform, SpecError, parseSpec, type PlatformInput, type ServiceInput } from '@cios/platform-spec';

/** The message of the SpecError `fn` throws; fails the test when it throws nothing or something else. */
export function specErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error('expected a SpecError');
}

export const api: ServiceInput = {
  name: 'case-service',
  tier: 'core',
  image: 'ghcr.io/cios/case-service',
  port: 8080,
  replicas: { dev: 1, prod: 3 },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  autoscaling: { minReplicas: 3, maxReplicas: 6, cpuTargetPercent: 70 },
  health: { liveness: '/healthz', readiness: '/readyz' },
  dataClassification: 'confidential',
  slos: [
    { name: 'availability', sli: 'availability', objective: 99.9 },
    { name: 'latency-p95', sli: 'latency', objective: 95, thresholdMs: 200 },
  ],
};

/** A data service with a volume and an hourly backup CronJob: the backup alerts and their tests. */
export const store: ServiceInput = {
  name: 'store',
  tier: 'data',
  workload: 'stateful',
  runtime: 'static',
  image: 'docker.io/library/postgres',
  port: 5432,
  replicas: { dev: 1, prod: 2 },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  health: { protocol: 'tcp', liveness: '/', readiness: '/' },
  dataClassification: 'restricted',
  storage: { size: '10Gi', storageClass: 'premium-rwo', mountPath: '/var/lib/postgresql/data' },
  backup: { schedule: '0 * * * *', retentionDays: 7, image: 'ghcr.io/cios/backup-tools:1.4.0', command: ['cios-backup', 'postgres'] },
};

/** A small platform: promtool runs over every generated test in seconds, not minutes. */
export function smallPlatform(services: ServiceInput[] = [api, store], sloPolicy?: PlatformInput['sloPolicy']): Platform {
  const input: PlatformInput = {
    ...(sloPolicy ? { sloPolicy } : {}),
    services,
    environments: [
      {
        name: 'dev',
        kind: 'dev',
        clusters: [{ name: 'dev-toronto', context: 'cios-dev', region: 'canadacentral' }],
        requiresApproval: false,
        prometheusUrl: 'http://127.0.0.1:9090',
      },
      {
        name: 'prod',
        kind: 'prod',
        // A DR standby beside the primary, as in the catalog: its own monitoring config, no pages.
        clusters: [
          { name: 'prod-toronto', context: 'cios-prod', region: 'canadacentral' },
          { name: 'prod-montreal', context: 'cios-prod-montreal', region: 'canadaeast', role: 'secondary' },
        ],
        requiresApproval: true,
        prometheusUrl: 'http://prometheus.prod-monitoring.svc:9090',
        backend: { type: 's3', bucket: 'cios-terraform-state-test', key: 'prod', region: 'ca-central-1', useLockfile: true, encrypt: true },
      },
    ],
  };
  return parseSpec(Platform, input, 'test platform');
}
