/**
 * Task changes. Each function mutates the KB object in place (call it inside `update()`),
 * appends to `agent_coordination.coordination_log` and updates `agent_status`.
 * Refusals throw KbError('refused' | 'not_found').
 */
import { isAssignee, sameAgent, splitAssignees } from './assignees.js';
import { KbError } from './errors.js';
import { nextId } from './ids.js';
import { allTasks, getTask, isTerminal, nextTask, taskIndex, unmetDependencies } from './queries.js';
import type { AgentCoordination, AgentStatus, Assignment, KnowledgeBase, LogEntry } from './schema.js';

export const DEFAULT_COORDINATOR = 'Product Manager/CTO Agent';

function refuse(message: string): never {
  throw new KbError('refused', message);
}

export function ensureCoordination(kb: KnowledgeBase): Required<Pick<AgentCoordination, 'active_assignments' | 'coordination_log' | 'agent_status'>> &
  AgentCoordination {
  kb.agent_coordination ??= {};
  const ac = kb.agent_coordination;
  ac.active_assignments ??= [];
  ac.coordination_log ??= [];
  ac.agent_status ??= {};
  return ac as ReturnType<typeof ensureCoordination>;
}

export function appendLog(kb: KnowledgeBase, entry: LogEntry): void {
  ensureCoordination(kb).coordination_log.push(entry);
}

/** Merge `patch` into `agent_status[agent]` (created if missing); also touches `agents[agent].last_activity`. */
export function touchAgentStatus(kb: KnowledgeBase, agent: string, patch: Partial<AgentStatus>, now: string): void {
  const statuses = ensureCoordination(kb).agent_status;
  refuseReservedName(agent);
  const name = Object.keys(statuses).find((n) => sameAgent(n, agent)) ?? agent;
  const current = (Object.hasOwn(statuses, name) ? statuses[name] : undefined) ?? { current_role: 'executor' };
  Object.assign(current, patch, { updated_at: now });
  statuses[name] = current;
  const agentName = Object.keys(kb.agents ?? {}).find((n) => sameAgent(n, agent));
  const record = agentName === undefined ? undefined : kb.agents?.[agentName];
  if (record && 'last_activity' in record) record.last_activity = now;
}

function actorCheck(task: Assignment, agent: string): void {
  if (task.claimed_by && !sameAgent(task.claimed_by, agent)) refuse(`${task.id} is already claimed by ${task.claimed_by}`);
  if (!task.claimed_by && !isAssignee(task.assigned_to, agent)) refuse(`${agent} is not among the assignees of ${task.id} (${task.assigned_to})`);
}

/** Names that would become keys JavaScript treats specially (agent_status is keyed by agent name). */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function refuseReservedName(name: string): void {
  if (RESERVED_NAMES.has(name.trim())) throw new KbError('usage', `"${name.trim()}" cannot be an agent name (reserved: ${[...RESERVED_NAMES].join(', ')})`);
}

function requireAgent(agent: string | undefined): string {
  if (!agent || agent.trim() === '') throw new KbError('usage', 'an agent name is required (--agent or CIOS_AGENT)');
  refuseReservedName(agent);
  return agent.trim();
}

export interface AssignInput {
  to: string;
  task: string;
  priority?: string | undefined;
  dependencies?: readonly string[] | undefined;
  by?: string | undefined;
  description?: string | undefined;
  /** Use this id instead of the next one in the file's pattern. */
  id?: string | undefined;
}

export function assignTask(kb: KnowledgeBase, input: AssignInput, now: string): Assignment {
  const to = input.to.trim();
  if (splitAssignees(to).length === 0) refuse('an assignee is required (--to)');
  for (const name of [...splitAssignees(to), input.by ?? '']) refuseReservedName(name);
  if (input.task.trim() === '') refuse('a task title is required (--task)');
  const priority = input.priority ?? 'P1';
  if (!/^P\d$/.test(priority)) refuse(`priority "${priority}" is not like P0, P1, P2`);
  const by = input.by?.trim() || DEFAULT_COORDINATOR;
  const index = taskIndex(kb);
  const dependencies = [...new Set(input.dependencies ?? [])];
  for (const dep of dependencies) if (!index.has(dep)) refuse(`unknown dependency "${dep}": no task has that id`);
  const id = input.id ?? nextId(index.keys(), 'ASSIGN_');
  if (index.has(id)) refuse(`a task with id "${id}" already exists`);
  const ac = ensureCoordination(kb);
  const draft: Assignment = { id, assigned_by: by, assigned_to: to, task: input.task.trim(), priority, status: 'pending', assigned_at: now };
  if (input.description) draft.description = input.description;
  draft.dependencies = dependencies;
  const unmet = unmetDependencies(kb, draft, index);
  draft.status = unmet.length === 0 ? 'assigned' : 'pending';
  draft.waiting_for = unmet.length === 0 ? null : unmet.map((d) => d.id).join(', ');
  ac.active_assignments.push(draft);
  appendLog(kb, { timestamp: now, event: 'assignment', from: by, to, task: draft.task, details: input.description ?? draft.task, priority, assignment_id: id });
  const coordinator = ac.agent_status[Object.keys(ac.agent_status).find((n) => sameAgent(n, by)) ?? by];
  touchAgentStatus(kb, by, { assignments_made: (coordinator?.assignments_made ?? 0) + 1, last_assignment: now }, now);
  for (const agent of splitAssignees(to)) {
    const name = Object.keys(ac.agent_status).find((n) => sameAgent(n, agent));
    const busy = name !== undefined && ['in_progress', 'claimed'].includes(ac.agent_status[name]?.status ?? '');
    if (!busy) touchAgentStatus(kb, agent, { status: 'assigned', current_task: draft.task, assignment_id: id, priority }, now);
  }
  return draft;
}

export interface ClaimResult {
  task: Assignment;
  /** True when the agent already held the claim (nothing changed). */
  already: boolean;
}

/** Compare-and-swap: claim a task that nobody else claimed. */
export function claimTask(kb: KnowledgeBase, input: { id: string; agent: string }, now: string): ClaimResult {
  const agent = requireAgent(input.agent);
  const task = getTask(kb, input.id);
  if (task.claimed_by) {
    if (sameAgent(task.claimed_by, agent)) return { task, already: true };
    refuse(`${task.id} is already claimed by ${task.claimed_by}${task.claimed_at ? ` since ${task.claimed_at}` : ''}`);
  }
  if (!isAssignee(task.assigned_to, agent)) refuse(`${agent} is not among the assignees of ${task.id} (${task.assigned_to})`);
  if (!['pending', 'assigned', 'ready'].includes(task.status)) refuse(`${task.id} is ${task.status}; only pending, assigned or ready tasks can be claimed`);
  const unmet = unmetDependencies(kb, task);
  if (unmet.length > 0) refuse(`${task.id} waits for ${unmet.map((d) => `${d.id} (${d.status})`).join(', ')}`);
  task.claimed_by = agent;
  task.claimed_at = now;
  task.status = 'claimed';
  appendLog(kb, { timestamp: now, event: 'claim', agent, task: task.task, assignment_id: task.id });
  touchAgentStatus(kb, agent, { status: 'claimed', current_task: task.task, assignment_id: task.id, priority: task.priority }, now);
  return { task, already: false };
}

export interface ClaimNextResult {
  /** The task now claimed by the agent, or null when none was ready. */
  task: Assignment | null;
  /** True when nothing changed (no ready task, or the agent already held it). */
  already: boolean;
}

/** Claim the agent's next ready task (P0 first, then oldest), if there is one. */
export function claimNextTask(kb: KnowledgeBase, input: { agent: string }, now: string): ClaimNextResult {
  const agent = requireAgent(input.agent);
  const task = nextTask(kb, agent);
  if (!task) return { task: null, already: true };
  return claimTask(kb, { id: task.id, agent }, now);
}

export function startTask(kb: KnowledgeBase, input: { id: string; agent: string }, now: string): ClaimResult {
  const agent = requireAgent(input.agent);
  const task = getTask(kb, input.id);
  actorCheck(task, agent);
  if (task.status === 'in_progress') return { task, already: true };
  if (task.status === 'blocked') refuse(`${task.id} is blocked (${task.waiting_for ?? 'no reason given'}); unblock it first`);
  if (isTerminal(task)) refuse(`${task.id} is already ${task.status}`);
  const unmet = unmetDependencies(kb, task);
  if (unmet.length > 0) refuse(`${task.id} waits for ${unmet.map((d) => `${d.id} (${d.status})`).join(', ')}`);
  if (!task.claimed_by) {
    task.claimed_by = agent;
    task.claimed_at = now;
  }
  task.status = 'in_progress';
  task.started_at ??= now;
  task.progress ??= 0;
  appendLog(kb, { timestamp: now, event: 'start', agent, task: task.task, assignment_id: task.id });
  touchAgentStatus(
    kb,
    agent,
    { status: 'in_progress', current_task: task.task, assignment_id: task.id, priority: task.priority, started_at: task.started_at, progress: task.progress },
    now,
  );
  return { task, already: false };
}

export function progressTask(kb: KnowledgeBase, input: { id: string; agent: string; progress: number; note?: string | undefined }, now: string): Assignment {
  const agent = requireAgent(input.agent);
  if (!Number.isFinite(input.progress) || input.progress < 0 || input.progress > 100) refuse(`progress must be between 0 and 100 (got ${input.progress})`);
  const task = getTask(kb, input.id);
  actorCheck(task, agent);
  if (task.status !== 'in_progress') startTask(kb, { id: task.id, agent }, now);
  task.progress = input.progress;
  task.updated_at = now;
  if (input.note) task.notes = input.note;
  appendLog(kb, { timestamp: now, event: 'progress_update', agent, task: task.task, details: input.note ?? `${input.progress}%`, progress: input.progress, assignment_id: task.id });
  touchAgentStatus(kb, agent, { status: 'in_progress', current_task: task.task, assignment_id: task.id, progress: input.progress }, now);
  return task;
}

export interface CompleteResult {
  task: Assignment;
  /** Pending tasks whose dependencies are now all completed (their status became `ready`). */
  unblocked: string[];
}

export function completeTask(
  kb: KnowledgeBase,
  input: { id: string; agent: string; result?: string | undefined; notes?: string | undefined },
  now: string,
): CompleteResult {
  const agent = requireAgent(input.agent);
  const task = getTask(kb, input.id);
  actorCheck(task, agent);
  if (isTerminal(task)) refuse(`${task.id} is already ${task.status}`);
  if (task.status === 'blocked') refuse(`${task.id} is blocked (${task.waiting_for ?? 'no reason given'}); unblock it first`);
  const result = input.result ?? 'success';
  task.status = 'completed';
  task.progress = 100;
  task.completed_at = now;
  task.result = result;
  if (input.notes) task.notes = input.notes;
  if ('waiting_for' in task) task.waiting_for = null;
  appendLog(kb, { timestamp: now, event: 'completion', agent, task: task.task, details: input.notes ?? result, result, assignment_id: task.id });
  touchAgentStatus(kb, agent, { status: 'completed', current_task: task.task, assignment_id: task.id, progress: 100, completed_at: now }, now);
  const agentName = Object.keys(kb.agents ?? {}).find((n) => sameAgent(n, agent));
  const record = agentName === undefined ? undefined : kb.agents?.[agentName];
  if (record && Array.isArray(record.completed_tasks) && !record.completed_tasks.includes(task.id)) record.completed_tasks.push(task.id);
  const index = taskIndex(kb);
  const unblocked: string[] = [];
  for (const other of allTasks(kb)) {
    if (other.status === 'pending' && other.dependencies?.includes(task.id) && unmetDependencies(kb, other, index).length === 0) {
      other.status = 'ready';
      unblocked.push(other.id);
    }
  }
  return { task, unblocked };
}

export function blockTask(kb: KnowledgeBase, input: { id: string; agent: string; reason: string }, now: string): Assignment {
  const agent = requireAgent(input.agent);
  if (!input.reason || input.reason.trim() === '') refuse('a reason is required (--reason)');
  const task = getTask(kb, input.id);
  if (isTerminal(task)) refuse(`${task.id} is already ${task.status}`);
  task.status = 'blocked';
  task.waiting_for = input.reason.trim();
  task.blocked_at = now;
  appendLog(kb, { timestamp: now, event: 'blocked', agent, task: task.task, details: task.waiting_for, assignment_id: task.id });
  if (isAssignee(task.assigned_to, agent) || sameAgent(task.claimed_by, agent)) {
    touchAgentStatus(kb, agent, { status: 'blocked', current_task: task.task, assignment_id: task.id, waiting_for: task.waiting_for }, now);
  }
  return task;
}

export function unblockTask(kb: KnowledgeBase, input: { id: string; agent: string; reason: string }, now: string): Assignment {
  const agent = requireAgent(input.agent);
  if (!input.reason || input.reason.trim() === '') refuse('a reason is required (--reason)');
  const task = getTask(kb, input.id);
  if (task.status !== 'blocked') refuse(`${task.id} is not blocked (status ${task.status})`);
  const unmet = unmetDependencies(kb, task);
  task.status = task.started_at ? 'in_progress' : task.claimed_by ? 'claimed' : unmet.length > 0 ? 'pending' : 'assigned';
  task.waiting_for = unmet.length > 0 ? unmet.map((d) => d.id).join(', ') : null;
  delete task.blocked_at;
  task.updated_at = now;
  appendLog(kb, { timestamp: now, event: 'unblocked', agent, task: task.task, details: input.reason.trim(), assignment_id: task.id });
  const owner = task.claimed_by ?? (isAssignee(task.assigned_to, agent) ? agent : undefined);
  if (owner) touchAgentStatus(kb, owner, { status: task.status, current_task: task.task, assignment_id: task.id, waiting_for: null }, now);
  return task;
}
