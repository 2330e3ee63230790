/**
 * The shape of `.ai-knowledge-base.json`.
 *
 * The schema validates; it never transforms. Loaders keep the parsed JSON object itself
 * (not zod's output), so every key the schema does not know — top-level sections,
 * fields inside owned objects — stays untouched and in its original order on every write.
 */
import { z } from 'zod';

/**
 * ISO-8601 date or date-time; the timezone is optional (real KBs hold `2025-12-02T22:28:58.440085`).
 * The date must exist: days per month, 29 February only in leap years (`2025-02-30` would sort as 2 March).
 * Kept a regular expression, not a refinement, so that the fast validator compiles it.
 */
export const ISO_TIMESTAMP =
  /^(\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|02-(0[1-9]|1\d|2[0-8]))|(\d\d(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?)?$/;

export const timestamp = z.string().regex(ISO_TIMESTAMP, { error: 'expected an ISO-8601 timestamp (e.g. 2025-12-02T22:28:58Z)' });
const optionalTimestamp = timestamp.nullable().optional();
const optionalText = z.string().nullable().optional();
const count = z.number().int().nonnegative();

export const TASK_STATUSES = ['pending', 'assigned', 'ready', 'claimed', 'in_progress', 'blocked', 'completed', 'cancelled', 'failed'] as const;
export const taskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof taskStatus>;

/** `P0` (most urgent) … `P9`. */
export const priority = z.string().regex(/^P\d$/, { error: 'expected a priority like P0, P1, P2' });

export const assignmentSchema = z.looseObject({
  id: z.string().min(1, { error: 'expected a non-empty id' }),
  assigned_by: optionalText,
  /** Text as written; may name several agents ("Frontend Agent + TestSprite Agent"). */
  assigned_to: z.string(),
  task: z.string(),
  priority: priority.optional(),
  status: taskStatus,
  assigned_at: optionalTimestamp,
  dependencies: z.array(z.string()).optional(),
  waiting_for: optionalText,
  progress: z.number().min(0, { error: 'progress must be between 0 and 100' }).max(100, { error: 'progress must be between 0 and 100' }).optional(),
  started_at: optionalTimestamp,
  completed_at: optionalTimestamp,
  claimed_by: optionalText,
  claimed_at: optionalTimestamp,
  blocked_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  notes: optionalText,
  result: optionalText,
});
export type Assignment = z.infer<typeof assignmentSchema>;

export const logEntrySchema = z.looseObject({
  timestamp,
  event: z.string().min(1),
});
export type LogEntry = z.infer<typeof logEntrySchema>;

export const agentStatusSchema = z.looseObject({
  current_role: optionalText,
  status: optionalText,
  current_task: optionalText,
  assignment_id: optionalText,
  progress: z.number().min(0).max(100).optional(),
  started_at: optionalTimestamp,
  completed_at: optionalTimestamp,
  updated_at: optionalTimestamp,
  last_assignment: optionalTimestamp,
  assignments_made: count.optional(),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const agentSchema = z.looseObject({
  role: optionalText,
  status: optionalText,
  current_task: optionalText,
  completed_tasks: z.array(z.unknown()).optional(),
  last_activity: optionalTimestamp,
});
export type Agent = z.infer<typeof agentSchema>;

export const agentCoordinationSchema = z.looseObject({
  active_assignments: z.array(assignmentSchema).optional(),
  recent_assignments: z.array(assignmentSchema).optional(),
  coordination_log: z.array(logEntrySchema).optional(),
  agent_status: z.record(z.string(), agentStatusSchema).optional(),
});
export type AgentCoordination = z.infer<typeof agentCoordinationSchema>;

// ---- Platform sections (added by this platform; names chosen not to clash with real KBs) ----

export const infrastructureChangeSchema = z.looseObject({
  id: z.string().min(1),
  timestamp,
  by: z.string().min(1),
  what: z.string().min(1),
  why: z.string().min(1),
  files: z.array(z.string()).optional(),
  stacks: z.array(z.string()).optional(),
  task_id: optionalText,
  commit: optionalText,
});
export type InfrastructureChange = z.infer<typeof infrastructureChangeSchema>;

export const DEPLOYMENT_STATUSES = ['in_progress', 'succeeded', 'failed', 'rolled_back', 'aborted'] as const;
export const deploymentStatus = z.enum(DEPLOYMENT_STATUSES);
export type DeploymentStatus = z.infer<typeof deploymentStatus>;

export const gateResultSchema = z.looseObject({
  name: z.string().min(1),
  status: z.enum(['passed', 'failed', 'skipped', 'pending']),
  details: optionalText,
  at: optionalTimestamp,
});
export type GateResult = z.infer<typeof gateResultSchema>;

export const deploymentSchema = z.looseObject({
  id: z.string().min(1),
  environment: z.string().min(1),
  release_id: z.string().min(1),
  commit: optionalText,
  deployed_by: z.string().min(1),
  task_id: optionalText,
  status: deploymentStatus,
  plan_summary: optionalText,
  gates: z.array(gateResultSchema).optional(),
  started_at: timestamp,
  finished_at: optionalTimestamp,
  duration_ms: z.number().nonnegative().optional(),
  /** Named phase durations in milliseconds, e.g. { build: 1200, apply: 5300 }. */
  timings: z.record(z.string(), z.number().nonnegative()).optional(),
  approval_id: optionalText,
  /** Deployment id this one rolled back to / the rollback plan reference. */
  rollback_ref: optionalText,
  evidence_ref: optionalText,
  notes: optionalText,
});
export type Deployment = z.infer<typeof deploymentSchema>;

/** `metrics.last_deployment`: a short summary of the latest deployment record (or null). */
export const lastDeploymentSchema = z.looseObject({
  id: z.string().min(1),
  environment: z.string().min(1),
  release_id: z.string().min(1),
  commit: optionalText,
  status: deploymentStatus,
  deployed_by: z.string().min(1),
  started_at: timestamp,
  finished_at: optionalTimestamp,
});
export type LastDeployment = z.infer<typeof lastDeploymentSchema>;

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'revoked'] as const;
export const approvalSchema = z.looseObject({
  id: z.string().min(1),
  environment: z.string().min(1),
  release_id: z.string().min(1),
  release_hash: optionalText,
  plan_hash: optionalText,
  requested_by: z.string().min(1),
  requested_at: timestamp,
  reason: optionalText,
  status: z.enum(APPROVAL_STATUSES),
  approved_by: optionalText,
  approved_at: optionalTimestamp,
  notes: optionalText,
});
export type Approval = z.infer<typeof approvalSchema>;

/** One recorded test run; also the shape real KBs already use in `test_results.recent_runs`. */
export const testRunSchema = z.looseObject({
  timestamp,
  tests_run: count.optional(),
  passed: count.optional(),
  failed: count.optional(),
  skipped: count.optional(),
  commit: optionalText,
  source: optionalText,
  scope: optionalText,
});
export type TestRun = z.infer<typeof testRunSchema>;

/** Real KBs already hold `test_results`; this accepts that shape and adds to it. */
export const testResultsSchema = z.looseObject({
  last_run: optionalTimestamp,
  total_tests: count.optional(),
  passing_tests: count.optional(),
  failing_tests: count.optional(),
  skipped_tests: count.optional(),
  last_commit: optionalText,
  recent_runs: z.array(testRunSchema).optional(),
});
export type TestResults = z.infer<typeof testResultsSchema>;

export const metricsSchema = z.looseObject({
  last_deployment: lastDeploymentSchema.nullable().optional(),
});

export const knowledgeBaseSchema = z.looseObject({
  version: z.union([z.string(), z.number()]).optional(),
  /** Incremented by every write through this library; `--expect-rev` compares against it. */
  revision: count.optional(),
  last_updated: optionalTimestamp,
  agents: z.record(z.string(), agentSchema).optional(),
  agent_coordination: agentCoordinationSchema.optional(),
  test_results: testResultsSchema.optional(),
  metrics: metricsSchema.optional(),
  infrastructure_changes: z.array(infrastructureChangeSchema).optional(),
  deployments: z.array(deploymentSchema).optional(),
  approvals: z.array(approvalSchema).optional(),
});
export type KnowledgeBase = z.infer<typeof knowledgeBaseSchema>;
