/** The rules a deploy must pass, as pure functions of the KB and the release. Order matters: see GATE_ORDER. */
import { type Environment, type Release, byCodePoint, parseJsonText } from '@cios/platform-spec';
import { type KbApproval, type KbGate, type KbView, allAssignments, lastHealthy } from './kb-view.js';

export const GATE_ORDER = ['knowledge_base', 'task', 'tests', 'approval', 'rollback_target', 'environment_lock'] as const;
export type GateName = (typeof GATE_ORDER)[number];

export interface Gate extends KbGate {
  readonly name: GateName;
}

const TERMINAL = new Set(['completed', 'cancelled', 'failed']);

function norm(name: string | null | undefined): string {
  return (name ?? '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function mentionsDevOps(assignedTo: string): boolean {
  return /dev\s*ops/i.test(assignedTo);
}

export function taskGate(kb: KbView, environment: string, taskId: string | undefined): Gate & { taskId?: string } {
  const tasks = allAssignments(kb);
  if (taskId !== undefined) {
    const task = tasks.find((t) => t.id === taskId);
    if (!task) return { name: 'task', status: 'passed', details: `task ${taskId} given with --task (not in the KB's assignments)`, taskId };
    if (TERMINAL.has(task.status)) return { name: 'task', status: 'failed', details: `task ${taskId} is ${task.status}; a deploy needs an open task` };
    return { name: 'task', status: 'passed', details: `task ${taskId}: ${task.task}`, taskId };
  }
  const env = environment.toLowerCase();
  const candidate = tasks.find(
    (t) => mentionsDevOps(t.assigned_to) && !TERMINAL.has(t.status) && /deploy/i.test(t.task) && t.task.toLowerCase().includes(env),
  );
  if (!candidate) {
    return {
      name: 'task',
      status: 'failed',
      details: `no open DevOps task to deploy ${environment} in the KB; create one or pass --task ID`,
    };
  }
  return { name: 'task', status: 'passed', details: `task ${candidate.id}: ${candidate.task}`, taskId: candidate.id };
}

/** A parsed test report (vitest/jest JSON or JUnit XML). */
export interface TestReport {
  readonly total: number;
  readonly failed: number;
  readonly source: string;
}

function sameCommit(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

export function testsGate(kb: KbView, commit: string, report: TestReport | undefined): Gate {
  if (report !== undefined) {
    if (report.total === 0) return { name: 'tests', status: 'failed', details: `${report.source} holds no tests; an empty run proves nothing` };
    if (report.failed > 0) return { name: 'tests', status: 'failed', details: `${report.source}: ${report.failed} of ${report.total} tests failed` };
    return { name: 'tests', status: 'passed', details: `${report.source}: ${report.total} tests passed` };
  }
  const runs = (kb.test_results?.recent_runs ?? []).filter((r) => sameCommit(r.commit, commit));
  const latest = runs.sort((a, b) => byCodePoint(a.timestamp, b.timestamp)).at(-1);
  if (latest) {
    const total = latest.tests_run ?? (latest.passed ?? 0) + (latest.failed ?? 0);
    if ((latest.failed ?? 0) > 0) {
      return { name: 'tests', status: 'failed', details: `tests for commit ${commit.slice(0, 12)} are red: ${latest.failed} failed (recorded ${latest.timestamp})` };
    }
    if (total === 0) return { name: 'tests', status: 'failed', details: `the test run recorded for commit ${commit.slice(0, 12)} ran no tests` };
    return { name: 'tests', status: 'passed', details: `${total} tests green for commit ${commit.slice(0, 12)} (recorded ${latest.timestamp}${latest.source ? ` by ${latest.source}` : ''})` };
  }
  const tr = kb.test_results;
  if (tr && sameCommit(tr.last_commit, commit) && (tr.failing_tests ?? 1) === 0 && (tr.passing_tests ?? 0) > 0) {
    return { name: 'tests', status: 'passed', details: `${tr.passing_tests} tests green for commit ${commit.slice(0, 12)}` };
  }
  return {
    name: 'tests',
    status: 'failed',
    details: `no green test results recorded for commit ${commit.slice(0, 12)}; CI records them with \`cios-kb record-tests\`, or pass --test-report FILE`,
  };
}

export interface ApprovalSubject {
  readonly releaseId: string;
  readonly releaseHash: string;
  /** Hash of the rendered files: what an approval given for a plan without Terraform names. */
  readonly filesHash: string;
  /** The files and Terraform's planned changes together (plan-digest.ts), when Terraform planned. */
  readonly boundPlanHash?: string | undefined;
  /** Apply plans under the environment lock: an approval naming another plan hash is checked then. */
  readonly verifyAfterLock?: boolean;
  readonly release: Release;
  /** Who runs the deploy: they cannot approve it either. */
  readonly actor: string;
}

export interface ApprovalGate extends Gate {
  readonly approval?: KbApproval;
  /** Set when the approval's plan hash must still equal the files + planned changes Terraform computes under the lock. */
  readonly verifyPlanHash?: string;
}

/** How an approval's plan hash relates to this plan: files only, files and changes, to be checked, or neither. */
function planBinding(a: KbApproval, s: ApprovalSubject): 'files' | 'changes' | 'verify' | undefined {
  if (a.plan_hash === s.filesHash) return 'files';
  if (s.boundPlanHash !== undefined && a.plan_hash === s.boundPlanHash) return 'changes';
  if (s.verifyAfterLock && a.plan_hash) return 'verify';
  return undefined;
}

const BINDING_NOTE = {
  files: ' (bound to the rendered files only: it was given for a plan Terraform did not run)',
  changes: " (bound to the rendered files and Terraform's planned changes)",
  verify: "; its plan hash is checked against Terraform's planned changes once the environment is locked",
} as const;

export function approvalGate(kb: KbView, env: Environment, s: ApprovalSubject): ApprovalGate {
  if (!env.requiresApproval) return { name: 'approval', status: 'skipped', details: `${env.name} does not require approval` };
  const all = (kb.approvals ?? []).filter((a) => a.environment === env.name);
  const bound = all.filter((a) => a.release_hash === s.releaseHash && planBinding(a, s) !== undefined);
  const approved = bound.filter((a) => a.status === 'approved');
  const requesters = [s.release.createdBy, s.actor];
  for (const a of approved) {
    const by = a.approved_by ?? '';
    if (requesters.some((r) => norm(r) === norm(by)) || norm(a.requested_by) === norm(by)) continue;
    if (norm(by) !== norm(env.approver)) continue;
    const binding = planBinding(a, s) as keyof typeof BINDING_NOTE;
    return {
      name: 'approval',
      status: 'passed',
      details: `approval ${a.id} by ${by} for release ${s.releaseId}${BINDING_NOTE[binding]}`,
      approval: a,
      ...(binding === 'verify' ? { verifyPlanHash: a.plan_hash as string } : {}),
    };
  }
  const selfApproved = approved.find((a) => [...requesters, a.requested_by].some((r) => norm(r) === norm(a.approved_by)));
  if (selfApproved) {
    return { name: 'approval', status: 'failed', details: `approval ${selfApproved.id} was given by ${selfApproved.approved_by}, who requested this release; the requester cannot approve their own release` };
  }
  const wrongApprover = approved[0];
  if (wrongApprover) {
    return { name: 'approval', status: 'failed', details: `approval ${wrongApprover.id} was given by ${wrongApprover.approved_by}; ${env.name} needs ${env.approver}` };
  }
  const planHash = s.boundPlanHash ?? s.filesHash;
  const stale = all.filter((a) => a.status === 'approved' && !bound.includes(a)).at(-1);
  if (stale) {
    const what =
      stale.release_hash !== s.releaseHash
        ? 'the release changed (new commit or images)'
        : s.boundPlanHash !== undefined
          ? "the plan changed (the rendered files, or the changes Terraform plans against the live state)"
          : 'the plan changed';
    return { name: 'approval', status: 'failed', details: `approval ${stale.id} is void: ${what} since it was given; ${env.approver} must approve release hash ${s.releaseHash.slice(0, 12)} / plan hash ${planHash.slice(0, 12)}` };
  }
  const pending = bound.find((a) => a.status === 'pending');
  return {
    name: 'approval',
    status: 'failed',
    details: `${env.name} needs approval from ${env.approver} for release ${s.releaseId} (release hash ${s.releaseHash.slice(0, 12)}, plan hash ${planHash.slice(0, 12)})${pending ? `; request ${pending.id} is still pending` : ''}`,
  };
}

export function rollbackTargetGate(
  kb: KbView,
  environment: string,
  hasArtifact: (releaseId: string) => boolean,
  firstDeploy: boolean,
): Gate & { target?: { deploymentId: string; releaseId: string } } {
  const last = lastHealthy(kb, environment);
  if (last) {
    if (!hasArtifact(last.release_id)) {
      return { name: 'rollback_target', status: 'failed', details: `the last good release ${last.release_id} (deployment ${last.id}) has no saved artifact to roll back to` };
    }
    return { name: 'rollback_target', status: 'passed', details: `rollback to release ${last.release_id} (deployment ${last.id})`, target: { deploymentId: last.id, releaseId: last.release_id } };
  }
  if (firstDeploy) return { name: 'rollback_target', status: 'passed', details: 'first deploy: no earlier release to roll back to (--first-deploy)' };
  return { name: 'rollback_target', status: 'failed', details: `no earlier release in ${environment} that succeeded and stayed healthy to roll back to; pass --first-deploy if this is the first deploy on purpose` };
}

/** Reads a vitest/jest JSON report or a JUnit XML report. */
export function parseTestReport(text: string, source: string): TestReport {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const json = parseJsonText(text, source) as Record<string, unknown>;
    const total = json['numTotalTests'];
    const failed = json['numFailedTests'];
    if (typeof total !== 'number' || typeof failed !== 'number') {
      throw new Error(`${source}: expected numTotalTests and numFailedTests (a vitest/jest JSON report)`);
    }
    const suitesFailed = typeof json['numFailedTestSuites'] === 'number' ? json['numFailedTestSuites'] : 0;
    return { total, failed: failed + suitesFailed, source };
  }
  if (trimmed.startsWith('<')) {
    const root = /<testsuites?\b([^>]*)>/.exec(text);
    if (!root) throw new Error(`${source}: no <testsuites> or <testsuite> element (a JUnit XML report)`);
    const attr = (n: string): number => Number(new RegExp(`\\b${n}="(\\d+)"`).exec(root[1] as string)?.[1] ?? 0);
    return { total: attr('tests'), failed: attr('failures') + attr('errors'), source };
  }
  throw new Error(`${source}: not a JSON or JUnit XML test report`);
}
