import { z } from 'zod';
import { Dns1123Label } from './names.js';
import { Tier } from './service.js';
import { SpecError } from './errors.js';

/**
 * Canadian cloud regions only: CIOS keeps its clients' data in Canada.
 * Azure (canadacentral = Toronto, canadaeast = Quebec), AWS (ca-central-1 Montreal, ca-west-1 Calgary),
 * GCP (northamerica-northeast1 Montreal, northamerica-northeast2 Toronto).
 */
export const CANADIAN_REGIONS = [
  'canadacentral',
  'canadaeast',
  'ca-central-1',
  'ca-west-1',
  'northamerica-northeast1',
  'northamerica-northeast2',
] as const;

export const Region = z.enum(CANADIAN_REGIONS, {
  error: (issue) =>
    `region ${JSON.stringify(issue.input)} is not in Canada; CIOS data must stay in Canada (allowed: ${CANADIAN_REGIONS.join(', ')})`,
});
export type Region = z.infer<typeof Region>;

export const Cluster = z.strictObject({
  name: Dns1123Label,
  /** kubeconfig context the tools use to reach this cluster. */
  context: z.string().min(1),
  region: Region,
  /** primary serves traffic; secondary stands by for disaster recovery. */
  role: z.enum(['primary', 'secondary']).default('primary'),
});
export type Cluster = z.infer<typeof Cluster>;

export const TerraformBackend = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('local'), path: z.string().default('terraform.tfstate') }),
    z.strictObject({
      type: z.literal('kubernetes'),
      secretSuffix: Dns1123Label,
      namespace: Dns1123Label.default('kube-system'),
      configContext: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal('s3'),
      bucket: z.string().min(3),
      key: z.string().min(1),
      region: Region,
      /** S3-native state locking (Terraform ≥ 1.10, OpenTofu ≥ 1.10). */
      useLockfile: z.boolean().default(true),
      encrypt: z.boolean().default(true),
    }),
  ],
  { error: 'backend.type must be "local", "kubernetes" or "s3"' },
);
export type TerraformBackend = z.infer<typeof TerraformBackend>;

/** What a check concludes without data or with too little traffic: "wait" keeps watching (inconclusive). */
export const ABSENCE_POLICIES = ['fail', 'wait', 'pass'] as const;
export const AbsencePolicy = z.enum(ABSENCE_POLICIES, {
  error: (issue) => `must be "fail", "wait" or "pass", got ${JSON.stringify(issue.input)}`,
});
export type AbsencePolicy = z.infer<typeof AbsencePolicy>;

/** The burn rate that pages (2% of a 30-day budget in an hour): a bake that burns faster is failing. */
export const FAST_BURN_RATE = 14.4;

/** Below its minimum request count a traffic-guarded check concludes `onLowTraffic`; unset: the policy's minRequests. */
const MinRequests = z.number().int().min(0, 'minRequests must be a whole number ≥ 0');

/**
 * Availability: the fraction of the service's scrape targets that are up must reach `threshold`.
 * It needs no traffic, so by default no request guard applies (minRequests 0); with minRequests > 0
 * it waits for traffic like the other checks.
 */
export const AvailabilityCheckPolicy = z.strictObject({
  threshold: z
    .number({ error: 'availability threshold must be a number' })
    .gt(0, 'availability threshold is the fraction of scrape targets up: it must be in (0, 1]')
    .max(1, 'availability threshold is the fraction of scrape targets up: it must be in (0, 1]')
    .default(1),
  onNoData: AbsencePolicy.default('fail'),
  onLowTraffic: AbsencePolicy.default('fail'),
  minRequests: MinRequests.default(0),
});
export type AvailabilityCheckPolicy = z.infer<typeof AvailabilityCheckPolicy>;

/** Error ratio (5xx / all requests); unset threshold: each service's availability-SLO error budget. */
export const ErrorRatioCheckPolicy = z.strictObject({
  threshold: z
    .number({ error: 'error_ratio threshold must be a number' })
    .gt(0, 'error_ratio threshold is a ratio of failed requests: it must be in (0, 1)')
    .lt(1, 'error_ratio threshold is a ratio of failed requests: it must be in (0, 1)')
    .optional(),
  onNoData: AbsencePolicy.default('wait'),
  onLowTraffic: AbsencePolicy.default('wait'),
  minRequests: MinRequests.optional(),
});
export type ErrorRatioCheckPolicy = z.infer<typeof ErrorRatioCheckPolicy>;

/** Burn rate of each SLO of a watched service: bad ratio ÷ the SLO's error budget. */
export const BurnRateCheckPolicy = z.strictObject({
  threshold: z
    .number({ error: 'burn_rate threshold must be a number' })
    .gt(0, `burn_rate threshold must be above 0 (${FAST_BURN_RATE} is the fast burn that pages)`)
    .default(FAST_BURN_RATE),
  onNoData: AbsencePolicy.default('wait'),
  onLowTraffic: AbsencePolicy.default('wait'),
  minRequests: MinRequests.optional(),
});
export type BurnRateCheckPolicy = z.infer<typeof BurnRateCheckPolicy>;

/** Per check kind; every default is the behaviour the deployer had before these were configurable. */
export const AnalysisChecks = z.strictObject({
  availability: AvailabilityCheckPolicy.prefault({}),
  error_ratio: ErrorRatioCheckPolicy.prefault({}),
  burn_rate: BurnRateCheckPolicy.prefault({}),
});
export type AnalysisChecks = z.infer<typeof AnalysisChecks>;

/** How the deployer watches a release before declaring it healthy. */
export const AnalysisPolicy = z.strictObject({
  intervalSeconds: z.number().int().min(1).default(60),
  bakeSeconds: z.number().int().min(1).default(600),
  /** Consecutive failing evaluations tolerated before rolling back. */
  failuresAllowed: z.number().int().min(0).default(1),
  /** Below this many requests in the window a check is inconclusive, not failed. */
  minRequests: z.number().int().min(0).default(100),
  checks: AnalysisChecks.prefault({}),
});
export type AnalysisPolicy = z.infer<typeof AnalysisPolicy>;

export const Environment = z
  .strictObject({
    name: Dns1123Label,
    description: z.string().optional(),
    /** Production rules (digests, approvals, HA checks) apply to prod. */
    kind: z.enum(['dev', 'staging', 'prod']),
    clusters: z.array(Cluster).min(1, 'an environment needs at least one cluster'),
    /** Namespace per tier; defaults to "<env>-<tier>". */
    namespaces: z.partialRecord(Tier, Dns1123Label).default({}),
    monitoringNamespace: Dns1123Label.optional(),
    /** Namespace of the ingress controller whose pods may reach public services. */
    ingressNamespace: Dns1123Label.optional(),
    /** Recovery point objective in minutes: backups of every stateful service must run at least this often. */
    rpoMinutes: z.number().int().min(1).default(60),
    scaling: z
      .strictObject({
        /** Multiplies every service's replica count in this environment. */
        replicaFactor: z.number().positive().default(1),
        /** Multiplies every autoscaler's max replicas in this environment. */
        autoscalingFactor: z.number().positive().default(1),
      })
      .default({ replicaFactor: 1, autoscalingFactor: 1 }),
    requiresApproval: z.boolean(),
    /** Who may approve a release here. */
    approver: z.string().default('Product Manager/CTO Agent'),
    /** Images must be pinned by digest (always true for prod). */
    requireDigests: z.boolean().default(false),
    backend: TerraformBackend.default({ type: 'local', path: 'terraform.tfstate' }),
    prometheusUrl: z.url({ error: 'must be an http(s) URL of the Prometheus API' }),
    analysis: AnalysisPolicy.prefault({}),
    /** Base domain for public hosts in this environment. */
    domain: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.kind === 'prod' && !e.requiresApproval) {
      ctx.addIssue({ code: 'custom', path: ['requiresApproval'], message: 'prod must require approval' });
    }
    // The local default suits one engineer's dev cluster; prod state on a laptop has no lock, no backup
    // and no second reader, so prod must name where its state lives.
    if (e.kind === 'prod' && e.backend.type === 'local') {
      ctx.addIssue({
        code: 'custom',
        path: ['backend'],
        message: 'a prod environment cannot keep its Terraform state on a local disk (the default when backend is left out); set backend to { type: "s3", … } or { type: "kubernetes", … }',
      });
    }
    if (e.clusters.filter((c) => c.role === 'primary').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['clusters'], message: 'an environment needs exactly one primary cluster' });
    }
  });
export type Environment = z.infer<typeof Environment>;
export type EnvironmentInput = z.input<typeof Environment>;

export function namespaceFor(env: Environment, tier: Tier): string {
  return env.namespaces[tier] ?? `${env.name}-${tier}`;
}

export function monitoringNamespaceFor(env: Environment): string {
  return env.monitoringNamespace ?? `${env.name}-monitoring`;
}

/**
 * Where the monitoring stack's node exporter runs: beside the monitoring namespace, not in it, because it
 * needs the host's network, process table and filesystem (Pod Security `privileged`), which the monitoring
 * namespace itself must not allow.
 */
export function nodeExporterNamespaceFor(env: Environment): string {
  return `${monitoringNamespaceFor(env)}-node`;
}

export function ingressNamespaceFor(env: Environment): string {
  return env.ingressNamespace ?? 'ingress-nginx';
}

export function primaryCluster(env: Environment): Cluster {
  return env.clusters.find((c) => c.role === 'primary') ?? (env.clusters[0] as Cluster);
}

/** The cluster of `env` called `name` (its primary when no name is given); a SpecError listing its clusters otherwise. */
export function clusterNamed(env: Environment, name: string | undefined): Cluster {
  if (name === undefined) return primaryCluster(env);
  const cluster = env.clusters.find((c) => c.name === name);
  if (cluster) return cluster;
  throw new SpecError(`clusters of ${env.name}`, [
    { path: 'cluster', message: `"${name}" is not a cluster of ${env.name} (${env.clusters.map((c) => c.name).join(', ')})` },
  ]);
}

export function requiresDigests(env: Environment): boolean {
  return env.kind === 'prod' || env.requireDigests;
}

/** Replicas for a service in an environment, after the environment's scaling factor. */
export function replicasIn(env: Environment, replicas: Record<string, number>): number {
  const base = replicas[env.name] ?? replicas[env.kind] ?? 1;
  return Math.max(base === 0 ? 0 : 1, Math.round(base * env.scaling.replicaFactor));
}
