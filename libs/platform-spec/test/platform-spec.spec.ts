import { describe, expect, it } from 'vitest';
import {
  Environment,
  JsonSyntaxError,
  Platform,
  Release,
  Service,
  SpecError,
  clusterNamed,
  monitoringNamespaceFor,
  nodeExporterNamespaceFor,
  parseImageRef,
  parseJsonText,
  parseSpec,
  replicasIn,
  describePlacement,
  runsIn,
  servicesIn,
  type EnvironmentInput,
  type PlatformInput,
  type ServiceInput,
} from '../src/index.js';

const service = (overrides: Partial<ServiceInput> = {}): ServiceInput => ({
  name: 'case-service',
  tier: 'core',
  image: 'ghcr.io/cios/case-service',
  port: 8080,
  replicas: { dev: 1, prod: 3 },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  autoscaling: { minReplicas: 3, maxReplicas: 10, cpuTargetPercent: 70 },
  health: { liveness: '/healthz', readiness: '/readyz' },
  dataClassification: 'confidential',
  slos: [{ name: 'availability', sli: 'availability', objective: 99.9 }],
  ...overrides,
});

const env: EnvironmentInput = {
  name: 'dev',
  kind: 'dev',
  clusters: [{ name: 'dev-toronto', context: 'dev', region: 'canadacentral' }],
  requiresApproval: false,
  prometheusUrl: 'http://127.0.0.1:9090',
};

/** `value`, or a failed test saying `what` is missing: narrows without a non-null assertion. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} missing`);
  return value;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('service', () => {
  it('accepts a valid service and fills defaults', () => {
    const parsed = parseSpec(Service, service(), 'case.json');
    expect(parsed.runAsUser).toBe(10001);
    expect(parsed.workload).toBe('stateless');
    expect(parsed.config.secrets).toEqual([]);
  });

  it('rejects invalid names with the field path', () => {
    expect(problems(() => parseSpec(Service, service({ name: 'Case_Service' }), 'case.json'))[0]).toMatch(
      /^name: must be a DNS-1123 label/,
    );
  });

  it('refuses the name "overview", which each environment\'s overview dashboard has', () => {
    expect(problems(() => parseSpec(Service, service({ name: 'overview' }), 'case.json'))).toEqual([
      'name: "overview" is reserved: each environment\'s overview dashboard (grafana/dashboards/overview.json) has that name',
    ]);
  });

  it('rejects min above max replicas', () => {
    const bad = service({ autoscaling: { minReplicas: 5, maxReplicas: 2, cpuTargetPercent: 70 } });
    expect(problems(() => parseSpec(Service, bad, 'case.json'))).toEqual([
      'autoscaling.minReplicas: minReplicas (5) must not be above maxReplicas (2)',
    ]);
  });

  it('rejects a secret value written in env', () => {
    const bad = service({ config: { env: { DB_PASSWORD: 'hunter2' } } });
    expect(problems(() => parseSpec(Service, bad, 'case.json'))[0]).toMatch(/^config\.env\.DB_PASSWORD: looks like a secret/);
  });

  it('rejects credentials by their name or their shape, and keeps look-alikes that hold none', () => {
    const envProblems = (env: Record<string, string>): string[] => {
      const result = Service.safeParse(service({ config: { env } }));
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const secretNames = { DB_PASS: 'pw', SMTP_PWD: 'pw', AUTH: 'user:pw' };
    for (const [name, value] of Object.entries(secretNames)) {
      expect(envProblems({ [name]: value }), name).toEqual([`config.env.${name}: looks like a secret by its name; reference a Kubernetes Secret in config.secrets instead of writing it here`]);
    }
    const basic = `Basic ${btoa('app:s3cret-pw')}`;
    const secretValues: Record<string, string> = {
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc': 'a Stripe secret key',
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc': 'a Stripe secret key',
      'sk-proj-Ab3dE_fGh1jK-lMn0pQrStUvWxYz12345': 'an API secret key',
      'sk-Ab3dEfGh1jKlMn0pQrStUvWxYz12345': 'an API secret key',
      [basic]: 'HTTP Basic credentials',
      'Bearer 8f14e45fceea167a5a36dedd4bea2543': 'a bearer token',
    };
    for (const [value, shape] of Object.entries(secretValues)) {
      expect(envProblems({ UPSTREAM_HEADER: value }), value).toEqual([
        `config.env.UPSTREAM_HEADER: looks like ${shape}; reference a Kubernetes Secret in config.secrets instead of writing it here`,
      ]);
    }
    // Settings about auth, a shell variable, prose: not credentials.
    expect(
      envProblems({
        AUTH_URL: 'https://auth.cios.ca',
        AUTH_ISSUER: 'https://auth.cios.ca/realms/cios',
        PWD: '/app',
        BYPASS_CACHE: 'true',
        DISABLE_AUTH: 'false',
        AUTH_HELP: 'Basic authentication is disabled; send a Bearer token',
        MODEL_FAMILY: 'sk-learn-compatible-estimators',
      }),
    ).toEqual([]);
  });

  it('rejects SLOs of 100% and latency SLOs without a threshold', () => {
    expect(problems(() => parseSpec(Service, service({ slos: [{ name: 'a', sli: 'availability', objective: 100 }] }), 'x'))[0]).toMatch(
      /slos\[0\]\.objective: must be below 100%/,
    );
    const noThreshold = service({ slos: [{ name: 'l', sli: 'latency', objective: 99 } as never] });
    expect(problems(() => parseSpec(Service, noThreshold, 'x'))[0]).toMatch(/slos\[0\]\.thresholdMs: a latency SLO needs thresholdMs/);
  });

  it('rejects requests above limits', () => {
    const bad = service({ resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '512Mi' } } });
    expect(problems(() => parseSpec(Service, bad, 'x'))).toEqual([
      'resources.requests.cpu: must not exceed the CPU limit 1',
      'resources.requests.memory: must not exceed the memory limit 512Mi',
    ]);
  });

  it('names a malformed quantity by its path instead of comparing it (no plain Error, no spurious limit message)', () => {
    const badMemory = service({ resources: { requests: { cpu: '100m', memory: '256MB' }, limits: { cpu: '500m', memory: '512Mi' } } });
    expect(problems(() => parseSpec(Service, badMemory, 'x'))).toEqual([
      'resources.requests.memory: must be a memory quantity such as "256Mi" or "1Gi"',
    ]);
    const badLimit = service({ resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '1GB' } } });
    expect(problems(() => parseSpec(Service, badLimit, 'x'))).toEqual(['resources.limits.memory: must be a memory quantity such as "256Mi" or "1Gi"']);
    // "2.5m" is no CPU quantity; read as 2.5 millicores it would also "exceed" the 1m limit.
    const badCpu = service({ resources: { requests: { cpu: '2.5m', memory: '128Mi' }, limits: { cpu: '1m', memory: '512Mi' } } });
    expect(problems(() => parseSpec(Service, badCpu, 'x'))).toEqual(['resources.requests.cpu: must be a CPU quantity such as "250m" or "1"']);
  });
});

describe('environment', () => {
  it('rejects a region outside Canada', () => {
    const bad = { ...env, clusters: [{ name: 'x', context: 'x', region: 'us-east-1' }] };
    expect(problems(() => parseSpec(Environment, bad, 'envs.json'))[0]).toMatch(
      /^clusters\[0\]\.region: region "us-east-1" is not in Canada/,
    );
  });

  it('requires approval for prod', () => {
    const bad = { ...env, name: 'prod', kind: 'prod' };
    expect(problems(() => parseSpec(Environment, bad, 'envs.json'))).toContain('requiresApproval: prod must require approval');
  });

  it('scales replicas by the environment factor', () => {
    const parsed = parseSpec(Environment, { ...env, scaling: { replicaFactor: 2 } }, 'x');
    expect(replicasIn(parsed, { dev: 2 })).toBe(4);
    expect(replicasIn(parsed, {})).toBe(2);
  });

  it('puts the node exporter beside the monitoring namespace, following an overridden monitoring namespace', () => {
    const plain = parseSpec(Environment, env, 'x');
    expect(monitoringNamespaceFor(plain)).toBe('dev-monitoring');
    expect(nodeExporterNamespaceFor(plain)).toBe('dev-monitoring-node');
    const renamed = parseSpec(Environment, { ...env, monitoringNamespace: 'observability' }, 'x');
    expect(nodeExporterNamespaceFor(renamed)).toBe('observability-node');
  });

  it('finds a cluster by name, the primary when none is named, and lists the clusters when the name is unknown', () => {
    const standby = { name: 'dev-montreal', context: 'dev-mtl', region: 'canadaeast', role: 'secondary' } as const;
    const parsed = parseSpec(Environment, { ...env, clusters: [standby, ...env.clusters] }, 'x');
    expect(clusterNamed(parsed, undefined).name).toBe('dev-toronto');
    expect(clusterNamed(parsed, 'dev-montreal').role).toBe('secondary');
    expect(problems(() => clusterNamed(parsed, 'prod-toronto'))).toEqual(['cluster: "prod-toronto" is not a cluster of dev (dev-montreal, dev-toronto)']);
  });
});

describe('platform', () => {
  const platform = (services: ServiceInput[]): PlatformInput => ({ services, environments: [env] });

  it('rejects duplicate services and unknown dependencies', () => {
    const found = problems(() =>
      parseSpec(Platform, platform([service(), service({ dependsOn: ['nope'] })]), 'catalog'),
    );
    expect(found).toContain('services[1].name: duplicate service name "case-service"');
    expect(found).toContain('services[1].dependsOn[0]: case-service depends on "nope", which is not a service in the catalog');
    expect(found).toContain('services[0].replicas.prod: "prod" is not an environment in the catalog');
  });

  it('rejects an SLO on a service probed over TCP, which has no HTTP request metrics to measure it', () => {
    const db = service({ name: 'db', replicas: { dev: 1 }, health: { protocol: 'tcp', liveness: '/', readiness: '/' } });
    expect(problems(() => parseSpec(Platform, platform([db]), 'catalog'))).toEqual([
      expect.stringMatching(/^services\[0\]\.slos: db is probed over TCP, so it serves no HTTP requests: its SLIs .* could never alert/),
    ]);
    expect(() => parseSpec(Platform, platform([{ ...db, slos: [] }]), 'catalog')).not.toThrow();
  });

  it('refuses a prod environment whose Terraform state would stay on a local disk, by default or by choice', () => {
    const prod: EnvironmentInput = { ...env, name: 'prod', kind: 'prod', requiresApproval: true };
    const localState = 'a prod environment cannot keep its Terraform state on a local disk (the default when backend is left out); set backend to { type: "s3", … } or { type: "kubernetes", … }';
    expect(problems(() => parseSpec(Platform, { services: [], environments: [env, prod] }, 'catalog'))).toEqual([`environments[1].backend: ${localState}`]);
    const explicit = { ...prod, backend: { type: 'local' as const } };
    expect(problems(() => parseSpec(Platform, { services: [], environments: [env, explicit] }, 'catalog'))).toEqual([`environments[1].backend: ${localState}`]);
    const inCluster = { ...prod, backend: { type: 'kubernetes' as const, secretSuffix: 'cios-prod' } };
    expect(() => parseSpec(Platform, { services: [], environments: [env, inCluster] }, 'catalog')).not.toThrow();
  });

  it('refuses two environments serving one public host (an environment without a domain serves the production hosts)', () => {
    const gateway = service({ name: 'api-gateway', replicas: { dev: 1 }, ingress: { host: 'api.cios.ca' } });
    const portal = service({ name: 'portal', replicas: { dev: 1 }, ingress: { host: 'app.cios.ca' } });
    const prod: EnvironmentInput = { ...env, name: 'prod', kind: 'prod', requiresApproval: true, backend: { type: 'kubernetes', secretSuffix: 'p' }, domain: 'cios.ca' };
    const qa: EnvironmentInput = { ...env, name: 'qa', kind: 'staging' };
    const dev: EnvironmentInput = { ...env, domain: 'dev.cios.ca' };
    expect(problems(() => parseSpec(Platform, { services: [gateway, portal], environments: [dev, prod, qa] }, 'catalog'))).toEqual([
      'environments[2].domain: qa would serve api.cios.ca, app.cios.ca, already the public hosts of prod (without a domain an environment uses the production hosts): give qa a domain of its own, such as "qa.cios.ca"',
    ]);
    const sameDomain = { ...qa, domain: 'dev.cios.ca' };
    expect(problems(() => parseSpec(Platform, { services: [gateway], environments: [dev, prod, sameDomain] }, 'catalog'))).toEqual([
      'environments[2].domain: qa would serve api.dev.cios.ca, already the public host of dev: give qa a domain of its own, such as "qa.dev.cios.ca"',
    ]);
    const own = { ...qa, domain: 'qa.cios.ca' };
    expect(() => parseSpec(Platform, { services: [gateway, portal], environments: [dev, prod, own] }, 'catalog')).not.toThrow();
  });
});

describe('where a service runs', () => {
  const backend = { type: 'kubernetes', secretSuffix: 'x' } as const;
  const staging: EnvironmentInput = { ...env, name: 'staging', kind: 'staging' };
  const qa: EnvironmentInput = { ...env, name: 'qa', kind: 'staging', domain: 'qa.cios.ca' };
  const prod: EnvironmentInput = { ...env, name: 'prod', kind: 'prod', requiresApproval: true, backend };
  const environments = [env, staging, qa, prod];
  const platform = (services: ServiceInput[]): PlatformInput => ({ services, environments });
  const parsed = (services: ServiceInput[]) => parseSpec(Platform, platform(services), 'catalog');
  const everywhere = service({ name: 'everywhere', replicas: {} });
  const devOnly = service({ name: 'dev-only', environments: ['dev'], replicas: { dev: 1 } });
  const stagingKind = service({ name: 'staging-kind', environments: ['staging'], replicas: {} });
  const qaByName = service({ name: 'qa-by-name', environments: ['qa'], replicas: {} });

  it('runs a service without environments everywhere, else where an entry names the environment or its kind', () => {
    const p = parsed([everywhere, devOnly, stagingKind, qaByName]);
    const names = (envName: string) => servicesIn(p, must(p.environments.find((e) => e.name === envName), envName)).map((s) => s.name);
    expect(names('dev')).toEqual(['everywhere', 'dev-only']);
    // "staging" is both an environment's name and a kind: qa is of that kind, so it runs there too.
    expect(names('staging')).toEqual(['everywhere', 'staging-kind']);
    expect(names('qa')).toEqual(['everywhere', 'staging-kind', 'qa-by-name']);
    expect(names('prod')).toEqual(['everywhere']);
    expect(runsIn({ environments: ['qa'] }, { name: 'staging', kind: 'staging' })).toBe(false);
    expect(runsIn({ environments: ['prod'] }, { name: 'prod-eu', kind: 'prod' })).toBe(true);
    expect(runsIn({}, { name: 'anything', kind: 'dev' })).toBe(true);
    expect(describePlacement(devOnly)).toBe('its environments: dev');
    expect(describePlacement({ environments: ['qa', 'prod'] })).toBe('its environments: qa, prod');
    expect(describePlacement(everywhere)).toBe('it runs in every environment');
  });

  it('refuses an environment that is neither a name nor a kind of the catalog, and an empty list', () => {
    expect(problems(() => parsed([service({ name: 'typo', environments: ['dev', 'stagin'], replicas: { dev: 1 } })]))).toEqual([
      'services[0].environments[1]: "stagin" is neither the name nor the kind of an environment in the catalog (environments: dev, staging, qa, prod; kinds: dev, staging, prod)',
    ]);
    expect(problems(() => parsed([service({ name: 'nowhere', environments: [], replicas: {} })]))).toEqual([
      'services[0].environments: names no environment, so the service would run nowhere: leave environments out to run it everywhere, or name where it runs',
    ]);
  });

  it('refuses a service that runs where a service it depends on does not, naming those environments', () => {
    const caller = service({ name: 'caller', replicas: {}, dependsOn: ['everywhere', 'dev-only'] });
    expect(problems(() => parsed([everywhere, devOnly, caller]))).toEqual([
      'services[2].dependsOn[1]: caller runs in staging, qa, prod, where dev-only, which it depends on, does not (dev-only runs in dev): its calls there would reach nothing. Run dev-only there too, or keep caller out of staging, qa, prod with its environments',
    ]);
    // Kept where its callee runs, it is accepted; a dev-only service may call one that runs everywhere.
    expect(() => parsed([everywhere, devOnly, { ...caller, environments: ['dev'] }])).not.toThrow();
    expect(() => parsed([everywhere, service({ name: 'dev-caller', environments: ['dev'], replicas: {}, dependsOn: ['everywhere'] })])).not.toThrow();
    // By kind: a caller in every staging environment needs its callee in qa too, not only in the one named staging.
    const byKind = service({ name: 'by-kind', environments: ['staging'], replicas: {}, dependsOn: ['staging-only'] });
    const stagingOnly = service({ name: 'staging-only', environments: ['staging'], replicas: {} });
    expect(() => parsed([stagingOnly, byKind])).not.toThrow();
    expect(problems(() => parsed([{ ...stagingOnly, environments: ['qa'] }, byKind]))).toEqual([
      expect.stringMatching(/^services\[1\]\.dependsOn\[0\]: by-kind runs in staging, where staging-only, which it depends on, does not \(staging-only runs in qa\)/),
    ]);
  });

  it('refuses replicas for an environment the service does not run in, by name or by kind', () => {
    expect(problems(() => parsed([{ ...devOnly, replicas: { dev: 1, prod: 3 } }]))).toEqual([
      'services[0].replicas.prod: dev-only runs in no environment "prod" names (its environments: dev), so this replica count would never be used: remove it, or add "prod" to its environments',
    ]);
    // "staging" names the kind qa has too: qa-by-name runs in an environment it names, so the count is used.
    expect(() => parsed([{ ...qaByName, replicas: { staging: 2 } }])).not.toThrow();
    expect(problems(() => parsed([{ ...qaByName, replicas: { qa: 2, dev: 1 } }]))).toEqual([
      expect.stringMatching(/^services\[0\]\.replicas\.dev: qa-by-name runs in no environment "dev" names/),
    ]);
    // An unknown key keeps its own message, once.
    expect(problems(() => parsed([{ ...devOnly, replicas: { dev: 1, nope: 1 } }]))).toEqual(['services[0].replicas.nope: "nope" is not an environment in the catalog']);
  });

  it('checks public hosts only where a service runs: a dev-only service claims no production host', () => {
    const domainless: EnvironmentInput = { ...env, name: 'demo', kind: 'staging' };
    const tool = service({ name: 'tool', environments: ['demo'], replicas: {}, ingress: { host: 'tool.cios.ca' } });
    const onProd = { services: [tool], environments: [{ ...prod, domain: 'cios.ca' }, domainless] };
    expect(() => parseSpec(Platform, onProd, 'catalog')).not.toThrow();
    const both = { ...onProd, services: [{ ...tool, environments: ['demo', 'prod'] }] };
    expect(problems(() => parseSpec(Platform, both, 'catalog'))).toEqual([
      expect.stringMatching(/^environments\[1\]\.domain: demo would serve tool\.cios\.ca, already the public host of prod/),
    ]);
  });
});

describe('release and image references', () => {
  it('parses tags and digests', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`registry:5000/cios/api:1.2@${digest}`)).toEqual({
      repository: 'registry:5000/cios/api',
      tag: '1.2',
      digest,
    });
    expect(parseImageRef('Bad Ref')).toBeUndefined();
  });

  it('rejects an image without tag or digest', () => {
    const bad = { environment: 'dev', commit: 'abcdef1', createdBy: 'ci', createdAt: '2026-01-01T00:00:00Z', images: { api: 'ghcr.io/cios/api' } };
    expect(problems(() => parseSpec(Release, bad, 'release.json'))[0]).toMatch(/^images\.api: "ghcr.io\/cios\/api" has neither tag nor digest/);
  });
});

describe('JSON text a person wrote', () => {
  it('parses JSON, and places a syntax error at file:line:column with what stands there', () => {
    expect(parseJsonText('{"a": [1, 2]}', 'ok.json')).toEqual({ a: [1, 2] });
    expect(() => parseJsonText('{\n  "a": 1,\n  "b": tru\n}', 'release.json')).toThrow('release.json:3:8: not valid JSON at "tru"');
    expect(() => parseJsonText('{"design_docs": [ "x" }', 'kb.json')).toThrow('kb.json:1:23: not valid JSON at "}"');
    const end = (() => {
      try {
        parseJsonText('{"environment": ', 'r.json');
      } catch (error) {
        return error;
      }
    })();
    expect(end).toBeInstanceOf(JsonSyntaxError);
    expect(end).toMatchObject({ line: 1, column: 17, message: 'r.json:1:17: not valid JSON (unexpected end)' });
  });
});
