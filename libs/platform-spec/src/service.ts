import { z } from 'zod';
import { Dns1123Label } from './names.js';
import { CpuQuantity, MemoryQuantity, StorageQuantity, cpuMillis, memoryBytes } from './quantities.js';
import { Slo } from './slo.js';
import { SECRET_NAME_PATTERN, credentialShapeOf } from './secrets.js';

export const Tier = z.enum(['core', 'ai', 'data', 'edge']);
export type Tier = z.infer<typeof Tier>;

export const Runtime = z.enum(['node', 'python', 'static']);
export type Runtime = z.infer<typeof Runtime>;

export const DataClassification = z.enum(['public', 'internal', 'confidential', 'restricted']);
export type DataClassification = z.infer<typeof DataClassification>;

const HttpPath = z.string().regex(/^\/[\w\-./]*$/, 'must be an absolute HTTP path such as "/healthz"');

/** An image repository without tag or digest: the release chooses those. */
export const ImageRepository = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
    'must be an image repository without tag or digest, such as "ghcr.io/cios/case-service"',
  );

const ResourceAmounts = z.strictObject({ cpu: CpuQuantity, memory: MemoryQuantity });

function bothValid(quantity: z.ZodType, a: unknown, b: unknown): boolean {
  return quantity.safeParse(a).success && quantity.safeParse(b).success;
}

export const Resources = z
  .strictObject({ requests: ResourceAmounts, limits: ResourceAmounts })
  .superRefine((r, ctx) => {
    // Zod runs this refinement even when a quantity failed its format check: compare only well-formed
    // pairs, so a bad quantity is reported once, at its own path, by that check (never as a plain Error).
    if (bothValid(CpuQuantity, r.requests.cpu, r.limits.cpu) && cpuMillis(r.requests.cpu) > cpuMillis(r.limits.cpu)) {
      ctx.addIssue({ code: 'custom', path: ['requests', 'cpu'], message: `must not exceed the CPU limit ${r.limits.cpu}` });
    }
    if (bothValid(MemoryQuantity, r.requests.memory, r.limits.memory) && memoryBytes(r.requests.memory) > memoryBytes(r.limits.memory)) {
      ctx.addIssue({
        code: 'custom',
        path: ['requests', 'memory'],
        message: `must not exceed the memory limit ${r.limits.memory}`,
      });
    }
  });

export const Autoscaling = z
  .strictObject({
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().min(1),
    cpuTargetPercent: z.number().int().min(1).max(100).optional(),
    memoryTargetPercent: z.number().int().min(1).max(100).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.minReplicas > a.maxReplicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['minReplicas'],
        message: `minReplicas (${a.minReplicas}) must not be above maxReplicas (${a.maxReplicas})`,
      });
    }
    if (a.cpuTargetPercent === undefined && a.memoryTargetPercent === undefined) {
      ctx.addIssue({ code: 'custom', message: 'autoscaling needs a cpuTargetPercent, a memoryTargetPercent, or both' });
    }
  });

export const Health = z.strictObject({
  /** http probes GET the paths; tcp probes only open the port (databases that speak no HTTP), so the paths are unused. */
  protocol: z.enum(['http', 'tcp']).default('http'),
  liveness: HttpPath,
  readiness: HttpPath,
  startup: HttpPath.optional(),
});

const EnvVarName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as "LOG_LEVEL"');

export const SecretRef = z.strictObject({
  /** The environment variable the container sees. */
  env: EnvVarName,
  /** The Kubernetes Secret's name; its value is managed outside this repository. */
  secretName: Dns1123Label,
  key: z.string().min(1),
});
export type SecretRef = z.infer<typeof SecretRef>;

export const ServiceConfig = z
  .strictObject({
    /** Plain, non-secret settings, rendered into a ConfigMap. */
    env: z.record(EnvVarName, z.string()).default({}),
    /** Extra existing ConfigMaps mounted as environment. */
    configMaps: z.array(Dns1123Label).default([]),
    /** Secrets by reference only: never a value. */
    secrets: z.array(SecretRef).default([]),
  })
  .superRefine((c, ctx) => {
    for (const [name, value] of Object.entries(c.env)) {
      const shape = SECRET_NAME_PATTERN.test(name) ? 'a secret by its name' : credentialShapeOf(value);
      if (shape === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['env', name],
        message: `looks like ${shape}; reference a Kubernetes Secret in config.secrets instead of writing it here`,
      });
    }
  });

export const Ingress = z.strictObject({
  host: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a fully qualified host name such as "api.cios.ca"'),
  path: HttpPath.default('/'),
});

export const Backup = z.strictObject({
  /** Cron schedule; must run at least as often as the RPO demands. */
  schedule: z.string().regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron schedule such as "0 * * * *"'),
  retentionDays: z.number().int().min(1),
  /** Command the backup job runs; it must read credentials from the mounted Secret, never inline. */
  command: z.array(z.string()).min(1),
  image: z.string().min(1),
  /**
   * Where backups go (an object-store URL in a Canadian region). The job is handed
   * `<destination>/<environment>/<cluster>/` as BACKUP_DESTINATION, so environments and clusters never
   * share a prefix: one's pruning cannot delete another's restore points.
   */
  destination: z.string().min(1).optional(),
  /** Credentials the backup job needs (database password, object-store keys), by reference only. */
  secrets: z.array(SecretRef).default([]),
});

/** Five-field cron: the longest gap in minutes between two runs, or undefined when the schedule is too irregular to tell. */
export function cronMaxGapMinutes(schedule: string): number | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (dom !== '*' || month !== '*' || dow !== '*') return 24 * 60 * 7;
  const minutes = expandCronField(minute, 0, 59);
  const hours = expandCronField(hour, 0, 23);
  if (!minutes || !hours || minutes.length === 0 || hours.length === 0) return undefined;
  const runs = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  let gap = 0;
  runs.forEach((run, i) => {
    const next = i + 1 < runs.length ? (runs[i + 1] as number) : (runs[0] as number) + 24 * 60;
    gap = Math.max(gap, next - run);
  });
  return gap;
}

function expandCronField(field: string, min: number, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const [, range, stepText] = match;
    const step = stepText ? Number(stepText) : 1;
    let from = min;
    let to = max;
    if (range !== '*') {
      const [a, b] = (range as string).split('-').map(Number);
      from = a as number;
      to = b ?? (stepText ? max : (a as number));
    }
    if (from < min || to > max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values];
}

export const Storage = z.strictObject({
  size: StorageQuantity,
  storageClass: z.string().optional(),
  mountPath: z.string().regex(/^\//, 'must be an absolute path'),
});

/** Replicas per environment name ("dev", "staging", "prod" …). */
export const ReplicasPerEnvironment = z.record(Dns1123Label, z.number().int().min(0));

/**
 * The pod ordinal that takes writes, per environment name or kind; 0 where not named. Changed only by the
 * failover procedure (libs/infra/docs/restore.md), after the replica it names has been promoted.
 */
const PrimaryOrdinal = z.record(Dns1123Label, z.number().int().min(0)).default({});

/** A PostgreSQL role with the REPLICATION attribute, its password in a Secret (by reference only). */
export const ReplicationCredentials = z.strictObject({
  user: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a PostgreSQL role name such as "replicator"').default('replicator'),
  secretName: Dns1123Label,
  key: z.string().min(1),
});

/**
 * How the replicas of a stateful service follow one primary, without an operator: PostgreSQL streaming
 * hot standbys, Redis `replicaof`, Qdrant's Raft peers. Without it, replicas are independent databases.
 */
export const Replication = z.discriminatedUnion(
  'engine',
  [
    z.strictObject({
      engine: z.literal('postgres'),
      /** Standbys stream WAL from the primary as this role. */
      credentials: ReplicationCredentials,
      primaryOrdinal: PrimaryOrdinal,
    }),
    /** Replicas authenticate to the master with the clients' password (REDIS_PASSWORD in config.secrets). */
    z.strictObject({ engine: z.literal('redis'), primaryOrdinal: PrimaryOrdinal }),
    /** Peers join the Raft cluster through the one at primaryOrdinal; the p2p port has no credentials. */
    z.strictObject({ engine: z.literal('qdrant'), primaryOrdinal: PrimaryOrdinal }),
  ],
  { error: 'replication.engine must be "postgres", "redis" or "qdrant"' },
);
export type Replication = z.infer<typeof Replication>;

/** Names generated files and dashboards already use beside the services' own. */
const RESERVED_SERVICE_NAMES = ['overview'];

export const Service = z.strictObject({
  name: Dns1123Label.refine((name) => !RESERVED_SERVICE_NAMES.includes(name), {
    error: (issue) => `"${String(issue.input)}" is reserved: each environment's overview dashboard (grafana/dashboards/overview.json) has that name`,
  }),
  description: z.string().optional(),
  tier: Tier,
  /** stateless → Deployment; stateful → StatefulSet with volumes and backups. */
  workload: z.enum(['stateless', 'stateful']).default('stateless'),
  runtime: Runtime.default('node'),
  image: ImageRepository,
  port: z.number().int().min(1).max(65535),
  /** Numeric non-root UID; the image's USER and the pod's runAsUser must both be this. */
  runAsUser: z.number().int().min(1000).default(10001),
  /** Where Prometheus scrapes request metrics. */
  metricsPath: HttpPath.default('/metrics'),
  /**
   * Where the service runs: environment names or kinds ("qa", "staging" …), as `replicas` keys are. Left out, it
   * runs in every environment, as a CIOS service should: staging and prod are only worth their name when they run
   * what dev runs. Name some for a service that has no business elsewhere, such as the reference service that
   * exercises the platform in dev (apps/sample-api). `runsIn` is the one place that reads it.
   */
  environments: z
    .array(Dns1123Label)
    .min(1, 'names no environment, so the service would run nowhere: leave environments out to run it everywhere, or name where it runs')
    .optional(),
  replicas: ReplicasPerEnvironment,
  resources: Resources,
  autoscaling: Autoscaling.optional(),
  health: Health,
  config: ServiceConfig.default({ env: {}, configMaps: [], secrets: [] }),
  ingress: Ingress.optional(),
  /** Services this one calls: each callee's NetworkPolicy admits it. */
  dependsOn: z.array(Dns1123Label).default([]),
  dataClassification: DataClassification,
  slos: z.array(Slo).default([]),
  storage: Storage.optional(),
  backup: Backup.optional(),
  /** How replicas follow the primary; required by the infra policy (CIOS-DATA-003) once a stateful service runs 2 or more. */
  replication: Replication.optional(),
  /** Where the project's source lives, for image builds (relative to the repository root). */
  sourceDir: z.string().optional(),
  /** Mount the service account token; off unless the service talks to the Kubernetes API. */
  automountServiceAccountToken: z.boolean().default(false),
  /** Writable scratch directories (emptyDir) besides /tmp, since the root filesystem is read-only. */
  scratchPaths: z.array(z.string().regex(/^\/[\w\-./]*$/, 'must be an absolute path')).default([]),
})
  .superRefine((s, ctx) => {
    if (s.replication && s.workload !== 'stateful') {
      ctx.addIssue({ code: 'custom', path: ['replication'], message: 'only a stateful service replicates; remove replication or set workload to "stateful"' });
    }
    if (s.replication?.engine === 'redis' && !s.config.secrets.some((r) => r.env === 'REDIS_PASSWORD')) {
      ctx.addIssue({
        code: 'custom',
        path: ['replication'],
        message: 'redis replicas authenticate with the clients\' password: declare REDIS_PASSWORD in config.secrets',
      });
    }
  });

export type Service = z.infer<typeof Service>;
export type ServiceInput = z.input<typeof Service>;
