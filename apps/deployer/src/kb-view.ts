/**
 * The parts of `.ai-knowledge-base.json` the deployer reads, as structural types.
 * @cios/knowledge-base validates the whole file; these only name what the gates look at.
 */
export interface KbAssignment {
  readonly id: string;
  readonly assigned_to: string;
  readonly task: string;
  readonly status: string;
  readonly progress?: number | undefined;
}

export interface KbTestRun {
  readonly timestamp: string;
  readonly tests_run?: number | undefined;
  readonly passed?: number | undefined;
  readonly failed?: number | undefined;
  readonly commit?: string | null | undefined;
  readonly source?: string | null | undefined;
}

export interface KbApproval {
  readonly id: string;
  readonly environment: string;
  readonly release_id: string;
  readonly release_hash?: string | null | undefined;
  readonly plan_hash?: string | null | undefined;
  readonly requested_by: string;
  readonly status: string;
  readonly approved_by?: string | null | undefined;
  readonly approved_at?: string | null | undefined;
}

export interface KbGate {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending';
  readonly details?: string | null | undefined;
  readonly at?: string | null | undefined;
}

export interface KbDeployment {
  readonly id: string;
  readonly environment: string;
  readonly release_id: string;
  readonly commit?: string | null | undefined;
  readonly deployed_by: string;
  readonly task_id?: string | null | undefined;
  readonly status: 'in_progress' | 'succeeded' | 'failed' | 'rolled_back' | 'aborted';
  readonly plan_summary?: string | null | undefined;
  readonly gates?: readonly KbGate[] | undefined;
  readonly started_at: string;
  readonly finished_at?: string | null | undefined;
  readonly duration_ms?: number | undefined;
  readonly timings?: Readonly<Record<string, number>> | undefined;
  readonly approval_id?: string | null | undefined;
  readonly rollback_ref?: string | null | undefined;
  readonly evidence_ref?: string | null | undefined;
  readonly notes?: string | null | undefined;
  readonly [extra: string]: unknown;
}

export interface KbView {
  readonly agent_coordination?:
    | {
        readonly active_assignments?: readonly KbAssignment[] | undefined;
        readonly recent_assignments?: readonly KbAssignment[] | undefined;
      }
    | undefined;
  readonly test_results?:
    | {
        readonly last_run?: string | null | undefined;
        readonly failing_tests?: number | undefined;
        readonly passing_tests?: number | undefined;
        readonly last_commit?: string | null | undefined;
        readonly recent_runs?: readonly KbTestRun[] | undefined;
      }
    | undefined;
  readonly deployments?: readonly KbDeployment[] | undefined;
  readonly approvals?: readonly KbApproval[] | undefined;
}

export function deploymentsIn(kb: KbView, environment: string): KbDeployment[] {
  return (kb.deployments ?? []).filter((d) => d.environment === environment);
}

/** The deploy still marked in progress in this environment, if any. */
export function inProgress(kb: KbView, environment: string): KbDeployment | undefined {
  return deploymentsIn(kb, environment).findLast((d) => d.status === 'in_progress');
}

/** What is running now: the last release that succeeded (and was not rolled back since). */
export function lastSucceeded(kb: KbView, environment: string, except?: string): KbDeployment | undefined {
  return deploymentsIn(kb, environment).findLast((d) => d.status === 'succeeded' && d.id !== except);
}

/**
 * Succeeded and stayed healthy: a deploy whose analysis failed but was not acted on (`--analysis
 * shadow`, or a bake that never reached Prometheus in shadow mode) succeeded, yet is no release to return to.
 */
export function stayedHealthy(d: KbDeployment): boolean {
  const analysis = d['analysis'] as { verdict?: unknown } | null | undefined;
  return d.status === 'succeeded' && analysis?.verdict !== 'fail';
}

/** The rollback target: the last release that succeeded and stayed healthy. */
export function lastHealthy(kb: KbView, environment: string): KbDeployment | undefined {
  return deploymentsIn(kb, environment).findLast(stayedHealthy);
}

/** The in-progress record's note that its rollback started: where to, why, and how it ends. */
export interface RollbackPhase {
  readonly to: string;
  readonly reason: string;
  /** The status the deployment gets once the rollback is applied. */
  readonly outcome: 'rolled_back' | 'aborted';
  readonly by: string;
  readonly at: string;
}

export const ROLLBACK_PHASE_KEY = 'rollback_started';

/** The rollback a deploy had started, if its record says so (a loose KB key, so checked field by field). */
export function rollbackPhaseOf(d: KbDeployment): RollbackPhase | undefined {
  const x = d[ROLLBACK_PHASE_KEY] as Partial<Record<keyof RollbackPhase, unknown>> | null | undefined;
  if (!x || typeof x !== 'object') return undefined;
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '';
  if (!text(x.to) || !text(x.reason) || !text(x.by) || !text(x.at) || (x.outcome !== 'rolled_back' && x.outcome !== 'aborted')) return undefined;
  return { to: x.to, reason: x.reason, outcome: x.outcome, by: x.by, at: x.at };
}

/** The environment lock as the in-progress record keeps it, so every reader of the KB sees who deploys from where. */
export interface RecordedLock {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly acquired_at: string;
  readonly lease_expires_at: string;
}

export const LOCK_KEY = 'lock';
/** Set by `unlock --force` on the in-progress record: a person vouched that its deployer is gone. */
export const LOCK_RELEASED_KEY = 'lock_released';

export function recordedLockOf(d: KbDeployment): RecordedLock | undefined {
  const x = d[LOCK_KEY] as Partial<Record<keyof RecordedLock, unknown>> | null | undefined;
  if (!x || typeof x !== 'object' || typeof x.host !== 'string' || typeof x.owner !== 'string' || typeof x.pid !== 'number') return undefined;
  return { owner: x.owner, host: x.host, pid: x.pid, acquired_at: String(x.acquired_at ?? ''), lease_expires_at: String(x.lease_expires_at ?? '') };
}

export function lockReleasedOf(d: KbDeployment): { by: string; reason: string; at: string } | undefined {
  const x = d[LOCK_RELEASED_KEY] as { by?: unknown; reason?: unknown; at?: unknown } | null | undefined;
  if (!x || typeof x !== 'object' || typeof x.by !== 'string') return undefined;
  return { by: x.by, reason: String(x.reason ?? ''), at: String(x.at ?? '') };
}

export function allAssignments(kb: KbView): KbAssignment[] {
  return [...(kb.agent_coordination?.active_assignments ?? []), ...(kb.agent_coordination?.recent_assignments ?? [])];
}
