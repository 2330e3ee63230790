import type { ServiceInput } from '@cios/platform-spec';

/** Backups run hourly: the RPO is one hour. */
const HOURLY = '0 * * * *';
const BACKUP_IMAGE = 'ghcr.io/cios/backup-tools:1.4.0';
const BACKUP_BUCKET = 's3://cios-backups-ca-central-1';
/** The object store's key pair, by reference: cios-backup needs the id with the secret (an S3 request is signed with both). */
const BACKUP_STORE_CREDENTIALS = [
  { env: 'BACKUP_ACCESS_KEY_ID', secretName: 'backup-object-store', key: 'access-key-id' },
  { env: 'BACKUP_SECRET_ACCESS_KEY', secretName: 'backup-object-store', key: 'secret-access-key' },
] as const;

/** The data tier: stateful, on persistent volumes, backed up hourly to Canadian object storage. */
export const dataServices: ServiceInput[] = [
  {
    name: 'postgres',
    description: 'PostgreSQL 16: one database per core service',
    tier: 'data',
    workload: 'stateful',
    runtime: 'static',
    image: 'docker.io/library/postgres',
    port: 5432,
    runAsUser: 10999,
    replicas: { dev: 1, staging: 1, prod: 2 },
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    health: { protocol: 'tcp', liveness: '/', readiness: '/' },
    dataClassification: 'restricted',
    storage: { size: '100Gi', storageClass: 'premium-rwo', mountPath: '/var/lib/postgresql/data' },
    scratchPaths: ['/var/run/postgresql'],
    config: {
      env: { PGDATA: '/var/lib/postgresql/data/pgdata' },
      secrets: [{ env: 'POSTGRES_PASSWORD', secretName: 'postgres-superuser', key: 'password' }],
    },
    // Ordinal 0 is the primary; the others are streaming hot standbys cloned from it (libs/infra's README).
    replication: { engine: 'postgres', credentials: { user: 'replicator', secretName: 'postgres-replication', key: 'password' } },
    backup: {
      schedule: HOURLY,
      retentionDays: 35,
      image: BACKUP_IMAGE,
      command: ['cios-backup', 'postgres', '--format=custom'],
      destination: `${BACKUP_BUCKET}/postgres`,
      secrets: [
        { env: 'PGPASSWORD', secretName: 'postgres-superuser', key: 'password' },
        ...BACKUP_STORE_CREDENTIALS,
      ],
    },
    // No SLO: PostgreSQL speaks no HTTP, so the request-based SLIs do not exist for it. Pods not ready,
    // replicas unavailable, volume filling up and backups overdue (libs/monitoring's Kubernetes alerts) watch it.
  },
  {
    name: 'redis',
    description: 'Redis 7: caches, sessions, rate limits and job queues (AOF persistence)',
    tier: 'data',
    workload: 'stateful',
    runtime: 'static',
    image: 'docker.io/library/redis',
    port: 6379,
    runAsUser: 10999,
    replicas: { dev: 1, staging: 1, prod: 2 },
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    health: { protocol: 'tcp', liveness: '/', readiness: '/' },
    dataClassification: 'confidential',
    storage: { size: '10Gi', storageClass: 'premium-rwo', mountPath: '/data' },
    // The official image reads no environment: requirepass and appendonly are set by the replication start-up.
    config: { secrets: [{ env: 'REDIS_PASSWORD', secretName: 'redis-auth', key: 'password' }] },
    // Ordinal 0 is the master; the others run `replicaof` it.
    replication: { engine: 'redis' },
    backup: {
      schedule: HOURLY,
      retentionDays: 7,
      image: BACKUP_IMAGE,
      command: ['cios-backup', 'redis', '--rdb'],
      destination: `${BACKUP_BUCKET}/redis`,
      secrets: [
        { env: 'REDIS_PASSWORD', secretName: 'redis-auth', key: 'password' },
        ...BACKUP_STORE_CREDENTIALS,
      ],
    },
  },
  {
    name: 'qdrant',
    description: 'Qdrant vector database: embeddings of legislation, guides and case documents',
    tier: 'data',
    workload: 'stateful',
    runtime: 'static',
    image: 'docker.io/qdrant/qdrant',
    port: 6333,
    runAsUser: 10999,
    replicas: { dev: 1, staging: 1, prod: 3 },
    resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    health: { liveness: '/livez', readiness: '/readyz' },
    dataClassification: 'confidential',
    storage: { size: '50Gi', storageClass: 'premium-rwo', mountPath: '/qdrant/storage' },
    // Qdrant writes an "initialized" marker into its working directory unless told otherwise: the root
    // filesystem is read-only, so the marker goes to a scratch directory.
    scratchPaths: ['/qdrant/snapshots', '/qdrant/init'],
    config: {
      env: { QDRANT_INIT_FILE_PATH: '/qdrant/init/.qdrant-initialized' },
      secrets: [{ env: 'QDRANT__SERVICE__API_KEY', secretName: 'qdrant-api', key: 'api-key' }],
    },
    // Every pod is a Raft peer serving reads and writes; collections need replication_factor ≥ 2 to survive a pod.
    replication: { engine: 'qdrant' },
    backup: {
      schedule: HOURLY,
      retentionDays: 14,
      image: BACKUP_IMAGE,
      command: ['cios-backup', 'qdrant', '--snapshot-all'],
      destination: `${BACKUP_BUCKET}/qdrant`,
      secrets: [
        { env: 'QDRANT_API_KEY', secretName: 'qdrant-api', key: 'api-key' },
        ...BACKUP_STORE_CREDENTIALS,
      ],
    },
  },
];
