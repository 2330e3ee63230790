/** Read-only questions about a KB. */
import { isAssignee, sameAgent } from './assignees.js';
import { KbError } from './errors.js';
import type { AgentStatus, Assignment, KnowledgeBase, TaskStatus } from './schema.js';
import { timeOf } from './time.js';

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'cancelled', 'failed'];
const CLAIMABLE: readonly TaskStatus[] = ['pending', 'assigned', 'ready', 'claimed'];

export function isTerminal(task: Assignment): boolean {
  return TERMINAL_STATUSES.includes(task.status);
}

/** All tasks: `active_assignments` then `recent_assignments`. */
export function allTasks(kb: KnowledgeBase): Assignment[] {
  const ac = kb.agent_coordination;
  return [...(ac?.active_assignments ?? []), ...(ac?.recent_assignments ?? [])];
}

export function findTask(kb: KnowledgeBase, id: string): Assignment | undefined {
  return allTasks(kb).find((t) => t.id === id);
}

export function getTask(kb: KnowledgeBase, id: string, file?: string): Assignment {
  const task = findTask(kb, id);
  if (!task) throw new KbError('not_found', `${file ? `${file}: ` : ''}no task with id "${id}"`, { file });
  return task;
}

export interface TaskFilter {
  /** Only tasks naming this agent among their assignees (or claimed by it). */
  agent?: string | undefined;
  status?: readonly string[] | undefined;
}

export function tasksFor(kb: KnowledgeBase, filter: TaskFilter = {}): Assignment[] {
  return allTasks(kb).filter(
    (t) =>
      (filter.agent === undefined || isAssignee(t.assigned_to, filter.agent) || sameAgent(t.claimed_by, filter.agent)) &&
      (filter.status === undefined || filter.status.length === 0 || filter.status.includes(t.status)),
  );
}

export interface UnmetDependency {
  id: string;
  status: string;
}

export function unmetDependencies(kb: KnowledgeBase, task: Assignment, index?: Map<string, Assignment>): UnmetDependency[] {
  const byId = index ?? taskIndex(kb);
  return (task.dependencies ?? [])
    .map((id) => ({ id, status: byId.get(id)?.status ?? 'unknown' }))
    .filter((d) => d.status !== 'completed');
}

export function taskIndex(kb: KnowledgeBase): Map<string, Assignment> {
  return new Map(allTasks(kb).map((t) => [t.id, t]));
}

export function priorityRank(task: Assignment): number {
  const m = /^P(\d)$/.exec(task.priority ?? '');
  return m ? Number(m[1]) : 10;
}

/** P0 before P1, then the oldest assignment, then the id. */
export function compareForWork(a: Assignment, b: Assignment): number {
  const p = priorityRank(a) - priorityRank(b);
  if (p !== 0) return p;
  const ta = timeOf(a.assigned_at);
  const tb = timeOf(b.assigned_at);
  if (!Number.isNaN(ta) || !Number.isNaN(tb)) {
    if (Number.isNaN(ta)) return 1;
    if (Number.isNaN(tb)) return -1;
    if (ta !== tb) return ta - tb;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Why `agent` cannot take `task` now, or undefined when it can. */
export function notReadyReason(kb: KnowledgeBase, task: Assignment, agent: string | undefined, index?: Map<string, Assignment>): string | undefined {
  if (task.claimed_by && (agent === undefined || !sameAgent(task.claimed_by, agent))) return `already claimed by ${task.claimed_by}`;
  if (!CLAIMABLE.includes(task.status)) return `status is ${task.status}`;
  const unmet = unmetDependencies(kb, task, index);
  if (unmet.length > 0) return `waits for ${unmet.map((d) => `${d.id} (${d.status})`).join(', ')}`;
  return undefined;
}

/** Tasks that can be started now (by `agent`, if given): not done, not claimed by someone else, dependencies completed. */
export function readyTasks(kb: KnowledgeBase, agent?: string): Assignment[] {
  const index = taskIndex(kb);
  const candidates = agent === undefined ? allTasks(kb) : tasksFor(kb, { agent });
  return candidates.filter((t) => notReadyReason(kb, t, agent, index) === undefined).sort(compareForWork);
}

export function nextTask(kb: KnowledgeBase, agent: string): Assignment | undefined {
  return readyTasks(kb, agent)[0];
}

export interface BlockedTask {
  task: Assignment;
  /** The task's own reason (`waiting_for`), if any. */
  reason: string | null;
  /** Dependencies not completed yet. */
  waits_on: UnmetDependency[];
}

/** Tasks marked blocked, and open tasks whose dependencies are not all completed. */
export function blockedTasks(kb: KnowledgeBase): BlockedTask[] {
  const index = taskIndex(kb);
  const out: BlockedTask[] = [];
  for (const task of allTasks(kb)) {
    if (isTerminal(task)) continue;
    const waits_on = unmetDependencies(kb, task, index);
    if (task.status === 'blocked' || waits_on.length > 0) out.push({ task, reason: task.waiting_for ?? null, waits_on });
  }
  return out.sort((a, b) => compareForWork(a.task, b.task));
}

export interface AgentView {
  name: string;
  status: string | null;
  current_task: string | null;
  assignment_id: string | null;
  progress: number | null;
  updated_at: string | null;
  role: string | null;
}

/** Every agent named in `agents` or `agent_coordination.agent_status`, merged. */
export function agentViews(kb: KnowledgeBase): AgentView[] {
  const names = new Set<string>([...Object.keys(kb.agents ?? {}), ...Object.keys(kb.agent_coordination?.agent_status ?? {})]);
  return [...names].map((name) => {
    const s: AgentStatus | undefined = kb.agent_coordination?.agent_status?.[name];
    const a = kb.agents?.[name];
    return {
      name,
      status: s?.status ?? a?.status ?? null,
      current_task: s?.current_task ?? a?.current_task ?? null,
      assignment_id: s?.assignment_id ?? null,
      progress: s?.progress ?? null,
      updated_at: s?.updated_at ?? s?.completed_at ?? s?.started_at ?? s?.last_assignment ?? a?.last_activity ?? null,
      role: s?.current_role ?? a?.role ?? null,
    };
  });
}

export interface StatusSummary {
  revision: number;
  counts: Record<string, number>;
  in_progress: Assignment[];
  ready: Assignment[];
  blocked: BlockedTask[];
  recently_done: Assignment[];
}

export function statusSummary(kb: KnowledgeBase): StatusSummary {
  const tasks = allTasks(kb);
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  const done = tasks
    .filter((t) => t.status === 'completed')
    .sort((a, b) => (timeOf(b.completed_at) || 0) - (timeOf(a.completed_at) || 0));
  return {
    revision: typeof kb.revision === 'number' ? kb.revision : 0,
    counts,
    in_progress: tasks.filter((t) => t.status === 'in_progress' || t.status === 'claimed').sort(compareForWork),
    ready: readyTasks(kb).filter((t) => !t.claimed_by),
    blocked: blockedTasks(kb),
    recently_done: done,
  };
}

/** Keep only `fields` of a record (in the order given). */
export function pick(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in record) out[f] = record[f];
  return out;
}
