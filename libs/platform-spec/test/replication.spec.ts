import { describe, expect, it } from 'vitest';
import { Service, SpecError, parseSpec, type ServiceInput } from '../src/index.js';

const store = (overrides: Partial<ServiceInput> = {}): ServiceInput => ({
  name: 'postgres',
  tier: 'data',
  workload: 'stateful',
  image: 'docker.io/library/postgres',
  port: 5432,
  replicas: { dev: 1, prod: 2 },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  health: { protocol: 'tcp', liveness: '/', readiness: '/' },
  dataClassification: 'restricted',
  storage: { size: '10Gi', mountPath: '/var/lib/postgresql/data' },
  replication: { engine: 'postgres', credentials: { secretName: 'postgres-replication', key: 'password' } },
  ...overrides,
});

function problems(input: ServiceInput): string[] {
  try {
    parseSpec(Service, input, 'data.json');
  } catch (error) {
    if (error instanceof SpecError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('replication', () => {
  it('defaults the replication role to "replicator" and the primary to no override (ordinal 0)', () => {
    const parsed = parseSpec(Service, store(), 'data.json');
    expect(parsed.replication).toEqual({
      engine: 'postgres',
      credentials: { user: 'replicator', secretName: 'postgres-replication', key: 'password' },
      primaryOrdinal: {},
    });
  });

  it('postgres needs the replication credentials by reference; other engines take none', () => {
    expect(problems(store({ replication: { engine: 'postgres' } as never }))).toEqual([
      'replication.credentials: Invalid input: expected object, received undefined',
    ]);
    const qdrant = store({ replication: { engine: 'qdrant', credentials: { secretName: 'x', key: 'y' } } as never });
    expect(problems(qdrant)[0]).toMatch(/^replication: Unrecognized key: "credentials"/);
  });

  it('names the field of an unknown engine, a role name that is not one, and a negative primary ordinal', () => {
    expect(problems(store({ replication: { engine: 'mysql' } as never }))).toEqual([
      'replication.engine: replication.engine must be "postgres", "redis" or "qdrant"',
    ]);
    const badRole = store({ replication: { engine: 'postgres', credentials: { user: 'Repl User', secretName: 'p', key: 'k' } } });
    expect(problems(badRole)).toEqual(['replication.credentials.user: must be a PostgreSQL role name such as "replicator"']);
    const negative = store({ replication: { engine: 'redis', primaryOrdinal: { prod: -1 } } });
    expect(problems(negative)[0]).toMatch(/^replication\.primaryOrdinal\.prod: /);
  });

  it('refuses replication on a stateless service, and redis replication without the clients\' password', () => {
    expect(problems(store({ workload: 'stateless' }))).toEqual([
      'replication: only a stateful service replicates; remove replication or set workload to "stateful"',
    ]);
    expect(problems(store({ name: 'redis', replication: { engine: 'redis' } }))).toEqual([
      'replication: redis replicas authenticate with the clients\' password: declare REDIS_PASSWORD in config.secrets',
    ]);
    const redis = store({
      name: 'redis',
      config: { secrets: [{ env: 'REDIS_PASSWORD', secretName: 'redis-auth', key: 'password' }] },
      replication: { engine: 'redis' },
    });
    expect(problems(redis)).toEqual([]);
  });
});
