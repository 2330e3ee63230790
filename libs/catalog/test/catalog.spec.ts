import { describe, expect, it } from 'vitest';
import {
  Platform,
  SpecError,
  cronMaxGapMinutes,
  parseSpec,
  primaryCluster,
  publicHostFor,
  replicasIn,
  requiresDigests,
  servicesIn,
  type PlatformInput,
} from '@cios/platform-spec';
import { environments, getEnvironment, getService, platform, platformInput, services } from '../src/index.js';

const REQUIRED_SERVICES = [
  'api-gateway',
  'user-service',
  'organization-service',
  'case-service',
  'document-service',
  'workflow-service',
  'communication-service',
  'rules-engine',
  'eligibility-service',
  'crm-service',
  'billing-service',
  'calendar-service',
  'reporting-service',
  'ai-gateway',
  'agent-runtime',
  'consultant-portal',
  'client-portal',
  'postgres',
  'redis',
  'qdrant',
];

/** A deep copy of the catalog to break on purpose. */
function copy(): PlatformInput {
  return structuredClone(platformInput);
}

function problemsOf(input: PlatformInput): string {
  try {
    parseSpec(Platform, input, 'catalog-under-test');
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message;
  }
  throw new Error('expected the spec to be refused');
}

/** `value`, or a failed test saying `what` is missing: narrows without a non-null assertion. */
function must<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} missing`);
  return value;
}

describe('the CIOS catalog', () => {
  it('holds every CIOS service everywhere, and the sample app in dev only', () => {
    // The catalog grows (the nx-plugin's service generator adds to it); the CIOS services must stay, in every environment.
    expect(services.map((s) => s.name)).toEqual(expect.arrayContaining([...REQUIRED_SERVICES, 'sample-api']));
    for (const env of environments) {
      expect(servicesIn(platform, env).map((s) => s.name), env.name).toEqual(expect.arrayContaining(REQUIRED_SERVICES));
    }
    expect(servicesIn(platform, getEnvironment('dev')).map((s) => s.name)).toContain('sample-api');
    for (const env of ['staging', 'prod']) expect(servicesIn(platform, getEnvironment(env)).map((s) => s.name), env).not.toContain('sample-api');
  });

  it('has dev, staging and prod with the backends, clusters and rules the issue asks for', () => {
    // The environment generator adds to these (its example is qa): the three the issue names must stay.
    expect(environments.map((e) => e.name)).toEqual(expect.arrayContaining(['dev', 'staging', 'prod']));
    const dev = getEnvironment('dev');
    expect(dev.backend.type).toBe('local');
    expect(dev.clusters).toHaveLength(1);
    expect(dev.requiresApproval).toBe(false);
    expect(getEnvironment('staging').backend.type).toBe('kubernetes');
    const prod = getEnvironment('prod');
    expect(prod.requiresApproval).toBe(true);
    expect(requiresDigests(prod)).toBe(true);
    expect(['s3', 'kubernetes']).toContain(prod.backend.type);
    expect(primaryCluster(prod)).toMatchObject({ region: 'canadacentral', role: 'primary' });
    expect(prod.clusters.find((c) => c.role === 'secondary')).toMatchObject({ region: 'canadaeast' });
  });

  it('runs at least two replicas of everything prod runs and declares the SLO targets', () => {
    const prod = getEnvironment('prod');
    for (const service of servicesIn(platform, prod)) expect(replicasIn(prod, service.replicas), service.name).toBeGreaterThanOrEqual(2);
    for (const service of services) {
      if (service.workload === 'stateless') {
        expect(service.slos).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ sli: 'availability', objective: 99.9 }),
            expect.objectContaining({ sli: 'latency', objective: 95, thresholdMs: 200 }),
          ]),
        );
        expect(service.autoscaling, service.name).toBeDefined();
      }
    }
  });

  it('backs up every stateful service at least hourly (RPO 1 h) with a retention', () => {
    const stateful = services.filter((s) => s.workload === 'stateful');
    expect(stateful.map((s) => s.name).sort()).toEqual(['postgres', 'qdrant', 'redis']);
    for (const service of stateful) {
      expect(service.storage, service.name).toBeDefined();
      expect(service.backup, service.name).toBeDefined();
      expect(cronMaxGapMinutes(service.backup?.schedule ?? '')).toBeLessThanOrEqual(60);
      expect(service.backup?.retentionDays).toBeGreaterThanOrEqual(7);
    }
  });

  it('keeps secrets as references only', () => {
    for (const service of services) {
      for (const value of Object.values(service.config.env)) {
        expect(value).not.toMatch(/:\/\/[^/\s:]+:[^@\s]+@/);
      }
    }
    expect(getService('billing-service').config.secrets).toContainEqual({
      env: 'PAYMENT_API_KEY',
      secretName: 'billing-payment-provider',
      key: 'api-key',
    });
  });

  it('exposes the API gateway and both portals publicly, per environment', () => {
    // The service generator can add public services (--host=appointments.cios.ca): these three must stay.
    const publicNames = services.filter((s) => s.ingress).map((s) => s.name);
    expect(publicNames).toEqual(expect.arrayContaining(['api-gateway', 'client-portal', 'consultant-portal']));
    expect(publicHostFor(getEnvironment('prod'), getService('api-gateway'))).toBe('api.cios.ca');
    expect(publicHostFor(getEnvironment('dev'), getService('api-gateway'))).toBe('api.dev.cios.ca');
  });

  it('names the known environments and services when asked for an unknown one', () => {
    // Names no generator can create (not DNS labels), so a generated qa or nope never makes these pass wrongly.
    expect(() => getEnvironment('No Such Env')).toThrow(/unknown environment "No Such Env"; the catalog has: dev, staging, prod/);
    expect(() => getService('No Such Service')).toThrow(/unknown service "No Such Service"; the catalog has: api-gateway/);
  });

  it('is the validated form of its input', () => {
    expect(parseSpec(Platform, platformInput, 'catalog')).toEqual(platform);
  });
});

describe('bad catalogs are refused with the field that is wrong', () => {
  it('an invalid service name', () => {
    const input = copy();
    must(input.services[0], 'services[0]').name = 'API_Gateway';
    expect(problemsOf(input)).toMatch(/services\[0\]\.name: must be a DNS-1123 label/);
  });

  it('min replicas above max', () => {
    const input = copy();
    must(input.services[1], 'services[1]').autoscaling = { minReplicas: 5, maxReplicas: 2, cpuTargetPercent: 70 };
    expect(problemsOf(input)).toMatch(/services\[1\]\.autoscaling\.minReplicas: minReplicas \(5\) must not be above maxReplicas \(2\)/);
  });

  it('an unknown dependency', () => {
    const input = copy();
    must(input.services[3], 'services[3]').dependsOn = ['postgres', 'mongodb'];
    expect(problemsOf(input)).toMatch(/services\[3\]\.dependsOn\[1\]: user-service depends on "mongodb", which is not a service/);
  });

  it('a secret value in env', () => {
    const input = copy();
    must(input.services[1], 'services[1]').config = { env: { DATABASE_PASSWORD: 'hunter2' } };
    expect(problemsOf(input)).toMatch(/services\[1\]\.config\.env\.DATABASE_PASSWORD: looks like a secret by its name/);
  });

  it('a credential in a value whatever the name, never repeating it', () => {
    const input = copy();
    must(input.services[1], 'services[1]').config = { env: { DATABASE_URL: 'postgres://app:hunter2@db:5432/app', UPLOAD_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' } };
    const problems = problemsOf(input);
    expect(problems).toMatch(/services\[1\]\.config\.env\.DATABASE_URL: looks like a URL with a password in it/);
    expect(problems).toMatch(/services\[1\]\.config\.env\.UPLOAD_KEY_ID: looks like an AWS access key id/);
    expect(problems).not.toContain('hunter2');
    // A password filled in from another variable at run time is not a literal.
    must(input.services[1], 'services[1]').config = { env: { DATABASE_URL: 'postgres://app:$(DB_PASSWORD)@db:5432/app' } };
    expect(() => parseSpec(Platform, input, 'catalog-under-test')).not.toThrow();
  });

  it('a non-Canadian region', () => {
    const input = copy();
    must(must(input.environments[0], 'environments[0]').clusters[0], 'environments[0].clusters[0]').region = 'us-east-1' as never;
    expect(problemsOf(input)).toMatch(/environments\[0\]\.clusters\[0\]\.region: region "us-east-1" is not in Canada/);
  });

  it('a service of every environment calling sample-api, which runs in dev only', () => {
    const input = copy();
    const index = input.services.findIndex((s) => s.name === 'api-gateway');
    const gateway = must(input.services[index], 'api-gateway');
    gateway.dependsOn = [...(gateway.dependsOn ?? []), 'sample-api'];
    // Every environment but dev (staging, prod, and any the environment generator added since).
    const elsewhere = environments.filter((e) => e.name !== 'dev' && e.kind !== 'dev').map((e) => e.name);
    expect(elsewhere).toEqual(expect.arrayContaining(['staging', 'prod']));
    expect(problemsOf(input)).toContain(
      `services[${index}].dependsOn[${gateway.dependsOn.length - 1}]: api-gateway runs in ${elsewhere.join(', ')}, where sample-api, which it depends on, does not (sample-api runs in dev)`,
    );
  });

  it('a duplicate service', () => {
    const input = copy();
    const service = must(input.services[3], 'services[3]');
    input.services.push(structuredClone(service));
    const index = input.services.length - 1;
    expect(problemsOf(input)).toContain(`services[${index}].name: duplicate service name "${service.name}"`);
  });
});
