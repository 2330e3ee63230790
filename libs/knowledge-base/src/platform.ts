/**
 * Platform sections: infrastructure change log, deployment log (+ `metrics.last_deployment`),
 * approvals and test results. Mutate in place; call inside `update()`.
 */
import { sameAgent } from './assignees.js';
import { KbError } from './errors.js';
import { nextId } from './ids.js';
import { appendLog } from './mutations.js';
import type {
  Approval,
  Deployment,
  DeploymentStatus,
  GateResult,
  InfrastructureChange,
  KnowledgeBase,
  LastDeployment,
  TestResults,
  TestRun,
} from './schema.js';
import { timeOf } from './time.js';

function refuse(message: string): never {
  throw new KbError('refused', message);
}

function nonEmpty(value: string | undefined | null, what: string): string {
  if (value === undefined || value === null || value.trim() === '') refuse(`${what} is required`);
  return value.trim();
}

// ---- Infrastructure changes ----

export interface InfrastructureChangeInput {
  by: string;
  what: string;
  why: string;
  files?: readonly string[] | undefined;
  stacks?: readonly string[] | undefined;
  task_id?: string | undefined;
  commit?: string | undefined;
}

export function logInfrastructureChange(kb: KnowledgeBase, input: InfrastructureChangeInput, now: string): InfrastructureChange {
  kb.infrastructure_changes ??= [];
  const entry: InfrastructureChange = {
    id: nextId(
      kb.infrastructure_changes.map((c) => c.id),
      'INFRA_',
    ),
    timestamp: now,
    by: nonEmpty(input.by, 'who made the change (--by)'),
    what: nonEmpty(input.what, 'what changed (--what)'),
    why: nonEmpty(input.why, 'why (--why)'),
    files: [...(input.files ?? [])],
    stacks: [...(input.stacks ?? [])],
  };
  if (input.task_id) entry.task_id = input.task_id;
  if (input.commit) entry.commit = input.commit;
  kb.infrastructure_changes.push(entry);
  appendLog(kb, { timestamp: now, event: 'infrastructure_change', agent: entry.by, details: entry.what, change_id: entry.id });
  return entry;
}

// ---- Deployments ----

export const TERMINAL_DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ['succeeded', 'failed', 'rolled_back', 'aborted'];

/** Allowed status changes of a deployment record. */
const DEPLOYMENT_TRANSITIONS: Record<DeploymentStatus, readonly DeploymentStatus[]> = {
  in_progress: ['succeeded', 'failed', 'rolled_back', 'aborted'],
  succeeded: ['rolled_back'],
  failed: ['rolled_back'],
  rolled_back: [],
  aborted: ['rolled_back'],
};

export interface DeploymentInput {
  environment: string;
  release_id: string;
  deployed_by: string;
  commit?: string | undefined;
  task_id?: string | undefined;
  status?: DeploymentStatus | undefined;
  plan_summary?: string | undefined;
  gates?: GateResult[] | undefined;
  timings?: Record<string, number> | undefined;
  approval_id?: string | undefined;
  rollback_ref?: string | undefined;
  evidence_ref?: string | undefined;
  notes?: string | undefined;
  /** Use this id (must be new) instead of the next `DEPLOY_nnn`. */
  id?: string | undefined;
  started_at?: string | undefined;
}

export type DeploymentPatch = Partial<Omit<DeploymentInput, 'id' | 'environment' | 'release_id' | 'deployed_by'>> & {
  finished_at?: string | undefined;
};

export function findDeployment(kb: KnowledgeBase, id: string): Deployment | undefined {
  return kb.deployments?.find((d) => d.id === id);
}

function summary(d: Deployment): LastDeployment {
  const out: LastDeployment = { id: d.id, environment: d.environment, release_id: d.release_id, status: d.status, deployed_by: d.deployed_by, started_at: d.started_at };
  if (d.commit) out.commit = d.commit;
  out.finished_at = d.finished_at ?? null;
  return out;
}

/** `metrics.last_deployment` follows the most recently started deployment record. */
function refreshLastDeployment(kb: KnowledgeBase, d: Deployment): void {
  kb.metrics ??= {};
  const current = kb.metrics.last_deployment;
  if (!current || current.id === d.id || timeOf(d.started_at) >= timeOf(current.started_at)) kb.metrics.last_deployment = summary(d);
}

function applyTerminal(d: Deployment, now: string): void {
  if (TERMINAL_DEPLOYMENT_STATUSES.includes(d.status)) {
    d.finished_at ??= now;
    const ms = timeOf(d.finished_at) - timeOf(d.started_at);
    if (Number.isFinite(ms) && ms >= 0) d.duration_ms = ms;
  }
}

/** Add a deployment record (status `in_progress` unless given) and update `metrics.last_deployment`. */
export function recordDeployment(kb: KnowledgeBase, input: DeploymentInput, now: string): Deployment {
  kb.deployments ??= [];
  const id = input.id ?? nextId(kb.deployments.map((d) => d.id), 'DEPLOY_');
  if (findDeployment(kb, id)) refuse(`a deployment with id "${id}" already exists`);
  const d: Deployment = {
    id,
    environment: nonEmpty(input.environment, 'environment (--env)'),
    release_id: nonEmpty(input.release_id, 'release id (--release)'),
    commit: input.commit ?? null,
    deployed_by: nonEmpty(input.deployed_by, 'who deploys (--by)'),
    task_id: input.task_id ?? null,
    status: input.status ?? 'in_progress',
    plan_summary: input.plan_summary ?? null,
    gates: input.gates ?? [],
    started_at: input.started_at ?? now,
    finished_at: null,
  };
  if (input.timings) d.timings = input.timings;
  if (input.approval_id) d.approval_id = input.approval_id;
  if (input.rollback_ref) d.rollback_ref = input.rollback_ref;
  if (input.evidence_ref) d.evidence_ref = input.evidence_ref;
  if (input.notes) d.notes = input.notes;
  applyTerminal(d, now);
  kb.deployments.push(d);
  refreshLastDeployment(kb, d);
  appendLog(kb, { timestamp: now, event: 'deployment', agent: d.deployed_by, details: `${d.id} ${d.release_id} → ${d.environment}: ${d.status}`, deployment_id: d.id });
  return d;
}

/** Change a deployment record (status transitions are checked; gates are merged by name; timings merged). */
export function updateDeployment(kb: KnowledgeBase, id: string, patch: DeploymentPatch, now: string): Deployment {
  const d = findDeployment(kb, id);
  if (!d) throw new KbError('not_found', `no deployment with id "${id}"`);
  const before = d.status;
  if (patch.status && patch.status !== d.status) {
    if (!DEPLOYMENT_TRANSITIONS[d.status].includes(patch.status)) refuse(`deployment ${id} is ${d.status}; it cannot become ${patch.status}`);
    d.status = patch.status;
  }
  for (const key of ['commit', 'task_id', 'plan_summary', 'approval_id', 'rollback_ref', 'evidence_ref', 'notes', 'finished_at'] as const) {
    if (patch[key] !== undefined) d[key] = patch[key];
  }
  if (patch.timings) d.timings = { ...(d.timings ?? {}), ...patch.timings };
  if (patch.gates) {
    const gates = (d.gates ??= []);
    for (const g of patch.gates) {
      const i = gates.findIndex((x) => x.name === g.name);
      if (i === -1) gates.push(g);
      else gates[i] = { ...gates[i], ...g };
    }
  }
  applyTerminal(d, now);
  refreshLastDeployment(kb, d);
  if (d.status !== before) {
    appendLog(kb, { timestamp: now, event: 'deployment', agent: d.deployed_by, details: `${d.id} ${d.release_id} → ${d.environment}: ${before} → ${d.status}`, deployment_id: d.id });
  }
  return d;
}

/** The latest deployment record in an environment (optionally with a given status). */
export function latestDeployment(kb: KnowledgeBase, environment: string, status?: DeploymentStatus): Deployment | undefined {
  let best: Deployment | undefined;
  for (const d of kb.deployments ?? []) {
    if (d.environment !== environment || (status && d.status !== status)) continue;
    if (!best || timeOf(d.started_at) >= timeOf(best.started_at)) best = d;
  }
  return best;
}

// ---- Approvals ----

export interface ApprovalPolicy {
  /** Environments whose approvals are restricted to `restrictedApprovers`. */
  restrictedEnvironments: readonly string[];
  restrictedApprovers: readonly string[];
}

/** Default: only the Product Manager/CTO agent approves prod. */
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  restrictedEnvironments: ['prod', 'production'],
  restrictedApprovers: ['Product Manager/CTO Agent'],
};

export interface ApprovalRequestInput {
  environment: string;
  release_id: string;
  requested_by: string;
  release_hash?: string | undefined;
  plan_hash?: string | undefined;
  reason?: string | undefined;
}

export function requestApproval(kb: KnowledgeBase, input: ApprovalRequestInput, now: string): Approval {
  kb.approvals ??= [];
  const a: Approval = {
    id: nextId(kb.approvals.map((x) => x.id), 'APPROVAL_'),
    environment: nonEmpty(input.environment, 'environment (--env)'),
    release_id: nonEmpty(input.release_id, 'release id (--release)'),
    release_hash: input.release_hash ?? null,
    plan_hash: input.plan_hash ?? null,
    requested_by: nonEmpty(input.requested_by, 'who asks (--by)'),
    requested_at: now,
    reason: input.reason ?? null,
    status: 'pending',
    approved_by: null,
    approved_at: null,
  };
  kb.approvals.push(a);
  appendLog(kb, { timestamp: now, event: 'approval_request', agent: a.requested_by, details: `${a.id}: ${a.release_id} → ${a.environment}`, approval_id: a.id });
  return a;
}

export interface ApproveInput {
  id: string;
  approved_by: string;
  /** When given, must match the hash bound in the request (if any). */
  release_hash?: string | undefined;
  plan_hash?: string | undefined;
  notes?: string | undefined;
}

export function approve(kb: KnowledgeBase, input: ApproveInput, now: string, policy: ApprovalPolicy = DEFAULT_APPROVAL_POLICY): Approval {
  const a = kb.approvals?.find((x) => x.id === input.id);
  if (!a) throw new KbError('not_found', `no approval with id "${input.id}"`);
  const by = nonEmpty(input.approved_by, 'who approves (--by)');
  if (a.status !== 'pending') refuse(`approval ${a.id} is ${a.status}${a.approved_by ? ` (by ${a.approved_by})` : ''}`);
  if (sameAgent(a.requested_by, by)) refuse(`${by} requested ${a.id} and cannot approve it; another agent must`);
  const restricted = policy.restrictedEnvironments.some((e) => e.toLowerCase() === a.environment.toLowerCase());
  if (restricted && !policy.restrictedApprovers.some((name) => sameAgent(name, by))) {
    refuse(`only ${policy.restrictedApprovers.join(' or ')} may approve ${a.environment}; ${by} may not`);
  }
  for (const key of ['release_hash', 'plan_hash'] as const) {
    const given = input[key];
    if (given === undefined) continue;
    if (a[key] && a[key] !== given) refuse(`${key} ${given} does not match ${a[key]} bound in ${a.id}`);
    a[key] = given;
  }
  a.status = 'approved';
  a.approved_by = by;
  a.approved_at = now;
  if (input.notes) a.notes = input.notes;
  appendLog(kb, { timestamp: now, event: 'approval', agent: by, details: `${a.id}: ${a.release_id} → ${a.environment} approved`, approval_id: a.id });
  return a;
}

/** An approved approval matching environment, release and (when bound) hashes. */
export function findValidApproval(
  kb: KnowledgeBase,
  query: { environment: string; release_id: string; release_hash?: string | undefined; plan_hash?: string | undefined },
): Approval | undefined {
  return (kb.approvals ?? [])
    .filter(
      (a) =>
        a.status === 'approved' &&
        a.environment === query.environment &&
        a.release_id === query.release_id &&
        (!a.release_hash || a.release_hash === query.release_hash) &&
        (!a.plan_hash || a.plan_hash === query.plan_hash),
    )
    .at(-1);
}

// ---- Test results ----

export interface TestRunInput {
  commit: string;
  passed: number;
  failed: number;
  skipped: number;
  source: string;
  scope?: string | undefined;
  by?: string | undefined;
}

/** Append to `test_results.recent_runs` (the section real KBs already have) and update its totals. */
export function recordTestRun(kb: KnowledgeBase, input: TestRunInput, now: string): TestRun {
  const results: TestResults = (kb.test_results ??= {});
  const run: TestRun = {
    timestamp: now,
    tests_run: input.passed + input.failed + input.skipped,
    passed: input.passed,
    failed: input.failed,
    skipped: input.skipped,
    commit: nonEmpty(input.commit, 'commit (--commit)'),
    source: input.source,
  };
  if (input.scope) run.scope = input.scope;
  (results.recent_runs ??= []).push(run);
  results.last_run = now;
  results.total_tests = run.tests_run ?? 0;
  results.passing_tests = input.passed;
  results.failing_tests = input.failed;
  results.skipped_tests = input.skipped;
  results.last_commit = run.commit ?? null;
  appendLog(kb, {
    timestamp: now,
    event: 'test_results',
    agent: input.by ?? 'QA Agent',
    details: `${input.passed} passed, ${input.failed} failed, ${input.skipped} skipped on ${run.commit}`,
  });
  return run;
}
