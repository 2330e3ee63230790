import {
  Environment,
  Platform,
  namespaceFor,
  parseSpec,
  servicesIn,
  type EnvironmentInput,
  type Platform as PlatformType,
  type Release,
  type Service,
  type ServiceInput,
} from '@cios/platform-spec';

export const DIGEST = `sha256:${'a'.repeat(64)}`;

/** `value`, or a failed test saying `what` is missing: narrows without a non-null assertion. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} missing`);
  return value;
}

export function api(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return {
    name: 'api',
    tier: 'core',
    image: 'ghcr.io/test/api',
    port: 8080,
    replicas: { dev: 1, prod: 3 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    autoscaling: { minReplicas: 2, maxReplicas: 6, cpuTargetPercent: 70 },
    health: { liveness: '/healthz', readiness: '/readyz' },
    dataClassification: 'internal',
    dependsOn: ['db'],
    ...overrides,
  };
}

export function web(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return api({ name: 'web', tier: 'edge', image: 'ghcr.io/test/web', dependsOn: ['api'], ingress: { host: 'www.example.ca', path: '/' }, ...overrides });
}

export function db(overrides: Partial<ServiceInput> = {}): ServiceInput {
  return {
    name: 'db',
    tier: 'data',
    workload: 'stateful',
    image: 'docker.io/library/postgres',
    port: 5432,
    replicas: { dev: 1, prod: 2 },
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    health: { protocol: 'tcp', liveness: '/', readiness: '/' },
    dataClassification: 'restricted',
    storage: { size: '10Gi', mountPath: '/var/lib/postgresql/data' },
    config: { secrets: [{ env: 'POSTGRES_PASSWORD', secretName: 'db-auth', key: 'password' }] },
    replication: { engine: 'postgres', credentials: { secretName: 'db-replication', key: 'password' } },
    backup: {
      schedule: '0 * * * *',
      retentionDays: 7,
      image: 'ghcr.io/test/backup:1.0.0',
      command: ['backup'],
      destination: 's3://backups-ca/db',
      secrets: [{ env: 'PGPASSWORD', secretName: 'db-auth', key: 'password' }],
    },
    ...overrides,
  };
}

export const devEnv: EnvironmentInput = {
  name: 'dev',
  kind: 'dev',
  clusters: [{ name: 'dev-1', context: 'ctx-dev', region: 'canadacentral' }],
  requiresApproval: false,
  backend: { type: 'local', path: 'terraform.tfstate' },
  prometheusUrl: 'http://prometheus:9090',
  domain: 'dev.example.ca',
};

export const prodEnv: EnvironmentInput = {
  name: 'prod',
  kind: 'prod',
  clusters: [
    { name: 'prod-tor', context: 'ctx-tor', region: 'canadacentral', role: 'primary' },
    { name: 'prod-mtl', context: 'ctx-mtl', region: 'canadaeast', role: 'secondary' },
  ],
  requiresApproval: true,
  backend: { type: 's3', bucket: 'state-bucket', key: 'prod', region: 'ca-central-1' },
  prometheusUrl: 'http://prometheus:9090',
};

export const stagingEnv: EnvironmentInput = {
  name: 'staging',
  kind: 'staging',
  clusters: [{ name: 'stg-1', context: 'ctx-stg', region: 'canadacentral' }],
  requiresApproval: false,
  backend: { type: 'kubernetes', secretSuffix: 'cios-stg' },
  prometheusUrl: 'http://prometheus:9090',
  // Without one it would serve prod's hosts, which the platform refuses.
  domain: 'staging.example.ca',
};

export function smallPlatform(services: ServiceInput[] = [web(), api(), db()], envs = [devEnv, stagingEnv, prodEnv]): PlatformType {
  return parseSpec(Platform, { services, environments: envs }, 'test platform');
}

export function envOf(p: PlatformType, name: string): Environment {
  return p.environments.find((e) => e.name === name) as Environment;
}

export function parseEnv(input: EnvironmentInput): Environment {
  return parseSpec(Environment, input, 'test env');
}

/** A release for `env` (prod by default) pinning the image of every service of `p` running there by digest (and the backup tool). */
export function digestRelease(p: PlatformType, env = 'prod', withDigest = true): Release {
  const images: Record<string, string> = {};
  for (const s of servicesIn(p, envOf(p, env))) images[s.name] = `${s.image}:1.2.3${withDigest ? `@${DIGEST}` : ''}`;
  images['backup-tools'] = `ghcr.io/test/backup:1.0.0${withDigest ? `@${DIGEST}` : ''}`;
  return { environment: env, commit: 'abcdef1', createdBy: 'ci', createdAt: '2026-01-01T00:00:00Z', images };
}

/** What every service construct is given: version 1.0.0 of `service` in `env`, in Toronto's primary cluster. */
export function constructProps(service: Service, env: Environment) {
  return {
    service,
    environment: env,
    namespace: namespaceFor(env, service.tier),
    region: 'canadacentral',
    image: `${service.image}:1.0.0`,
    version: '1.0.0',
    callers: [] as { name: string; namespace: string }[],
    monitoringNamespace: `${env.name}-monitoring`,
    ingressNamespace: 'ingress-nginx',
    cluster: { name: 'prod-tor', role: 'primary' as const },
  };
}
