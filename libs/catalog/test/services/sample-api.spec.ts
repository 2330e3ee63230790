import { describe, expect, it } from 'vitest';
import { REQUEST_DURATION_BUCKETS_SECONDS, namespaceFor, replicasIn, runsIn, servicesIn } from '@cios/platform-spec';
import { environments, getEnvironment, getService, platform } from '../../src/index.js';

/**
 * What the catalog promises about sample-api, the reference service of apps/sample-api: the platform builds it from
 * its own Dockerfile and deploys and watches it in dev only. That the app really serves what this says (port,
 * probes, metrics, user) is checked against the running app in apps/deployer/test/sample-api-spec.spec.ts.
 */
describe('sample-api', () => {
  const service = getService('sample-api');

  it('is a core node service on port 8080 as UID 10001, built as ghcr.io/cios/sample-api from apps/sample-api', () => {
    expect(service).toMatchObject({
      tier: 'core',
      workload: 'stateless',
      runtime: 'node',
      port: 8080,
      runAsUser: 10001,
      image: 'ghcr.io/cios/sample-api',
      sourceDir: 'apps/sample-api',
      metricsPath: '/metrics',
    });
    expect(service.health).toEqual({ protocol: 'http', liveness: '/healthz', readiness: '/readyz', startup: '/healthz' });
  });

  it('runs in dev only: one replica in dev-core, no public host, in no other environment', () => {
    for (const env of environments) expect(runsIn(service, env), env.name).toBe(env.name === 'dev' || env.kind === 'dev');
    const dev = getEnvironment('dev');
    expect(replicasIn(dev, service.replicas)).toBe(1);
    expect(namespaceFor(dev, service.tier)).toBe('dev-core');
    expect(service.ingress).toBeUndefined();
    expect(servicesIn(platform, getEnvironment('prod'))).not.toContain(service);
  });

  it('promises an availability and a latency objective, the latency threshold on a histogram bucket', () => {
    expect(service.slos).toEqual([
      expect.objectContaining({ name: 'availability', sli: 'availability', objective: 99.9 }),
      expect.objectContaining({ name: 'latency-p95', sli: 'latency', objective: 95, thresholdMs: 200 }),
    ]);
    const latency = service.slos.find((s) => s.sli === 'latency');
    const thresholdMs = latency && 'thresholdMs' in latency ? latency.thresholdMs : undefined;
    expect(REQUEST_DURATION_BUCKETS_SECONDS.map((s) => Math.round(s * 1000))).toContain(thresholdMs);
  });

  it('has limits, an autoscaler, and no calls to anything (its traffic is its own)', () => {
    expect(service.resources.limits).toEqual({ cpu: '250m', memory: '128Mi' });
    expect(service.autoscaling).toEqual({ minReplicas: 1, maxReplicas: 4, cpuTargetPercent: 70 });
    expect(service.dependsOn).toEqual([]);
    expect(service.config.env).toEqual({ SAMPLE_API_SELF_TRAFFIC_RPS: '2', SAMPLE_API_SHUTDOWN_DELAY_MS: '5000' });
    expect(service.config.secrets).toEqual([]);
  });
});
