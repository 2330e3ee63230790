import type { ServiceInput } from '@cios/platform-spec';

/** The catalog test the generator adds next to the catalog's own: the new service, as promised. */
export function serviceTestSource(service: ServiceInput): string {
  const availability = service.slos?.find((s) => s.sli === 'availability');
  const latency = service.slos?.find((s) => s.sli === 'latency');
  const name = JSON.stringify(service.name).replace(/"/g, "'");
  return `import { describe, expect, it } from 'vitest';
import { namespaceFor, replicasIn, runsIn } from '@cios/platform-spec';
import { environments, getService, platform } from '../../src/index.js';

/** Added by \`nx g @cios/nx-plugin:service\`: what the catalog promises about ${service.name}. */
describe(${name}, () => {
  const service = getService(${name});

  it('is a ${service.tier} service listening on ${service.port}, built as ${service.image}', () => {
    expect(service).toMatchObject({ tier: '${service.tier}', port: ${service.port}, image: '${service.image}', workload: 'stateless' });
  });

  it('promises an availability and a latency objective', () => {
    expect(service.slos).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sli: 'availability', objective: ${availability?.objective} }),
        expect.objectContaining({ sli: 'latency', objective: ${latency?.objective}, thresholdMs: ${latency && 'thresholdMs' in latency ? latency.thresholdMs : 0} }),
      ]),
    );
  });

  it('runs in every environment with probes, limits and an autoscaler', () => {
    for (const env of environments) {
      expect(runsIn(service, env), env.name).toBe(true);
      expect(replicasIn(env, service.replicas), env.name).toBeGreaterThanOrEqual(1);
      expect(namespaceFor(env, service.tier), env.name).toMatch(/^[a-z0-9-]+$/);
    }
    expect(service.health.readiness).toMatch(/^\\//);
    expect(service.resources.limits.cpu).toBeTruthy();
    expect(service.autoscaling?.minReplicas).toBeLessThanOrEqual(service.autoscaling?.maxReplicas ?? 0);
  });

  it('calls only services the catalog has', () => {
    const names = new Set(platform.services.map((s) => s.name));
    for (const dependency of service.dependsOn) expect(names.has(dependency), dependency).toBe(true);
  });
});
`;
}
