import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assignTask,
  blockTask,
  blockedTasks,
  claimTask,
  completeTask,
  KbError,
  loadKb,
  nextId,
  nextTask,
  problemsOf,
  progressTask,
  splitAssignees,
  startTask,
  tasksFor,
  unblockTask,
  type KnowledgeBase,
} from '../src/index.js';
import { FIXTURE } from './helpers.js';

const fresh = (): KnowledgeBase => loadKb(FIXTURE).kb;
const NOW = '2025-11-21T10:00:00.000Z';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KbError);
    return (error as KbError).message;
  }
  throw new Error('expected a refusal');
}

describe('queries', () => {
  it('keeps multi-assignee text as written and exposes the list', () => {
    expect(splitAssignees('Frontend Agent + TestSprite Agent')).toEqual(['Frontend Agent', 'TestSprite Agent']);
    expect(splitAssignees('Product Manager/CTO Agent')).toEqual(['Product Manager/CTO Agent']);
    const kb = fresh();
    expect(tasksFor(kb, { agent: 'Frontend Agent' }).map((t) => t.id)).toEqual(['ASSIGN_003', 'ASSIGN_005']);
    expect(tasksFor(kb, { agent: 'qa' }).map((t) => t.id)).toEqual(['ASSIGN_002', 'ASSIGN_003', 'ASSIGN_004']);
    expect(tasksFor(kb, { agent: 'QA Agent', status: ['ready'] }).map((t) => t.id)).toEqual(['ASSIGN_002']);
  });

  it('next: P0 before P1, then oldest; dependencies must be completed', () => {
    const kb = fresh();
    expect(nextTask(kb, 'QA Agent')?.id).toBe('ASSIGN_004'); // P0 beats the older P1
    const asg = kb.agent_coordination?.active_assignments?.[3];
    if (asg) asg.priority = 'P1';
    expect(nextTask(kb, 'QA Agent')?.id).toBe('ASSIGN_002'); // both P1: the oldest
    expect(nextTask(kb, 'Frontend Agent')).toBeUndefined(); // ASSIGN_003 waits for ASSIGN_002; ASSIGN_005 in progress
  });

  it('blocked tasks say what they wait for', () => {
    const blocked = blockedTasks(fresh());
    expect(blocked.map((b) => b.task.id)).toEqual(['ASSIGN_003']);
    expect(blocked[0]?.waits_on).toEqual([{ id: 'ASSIGN_002', status: 'ready' }]);
    expect(blocked[0]?.reason).toBe('Regression tests');
  });
});

describe('changes', () => {
  it('assign continues the file id pattern and logs it', () => {
    expect(nextId(['ASSIGN_009', 'ASSIGN_011', 'OTHER_99'], 'X_')).toBe('ASSIGN_012');
    expect(nextId([], 'DEPLOY_')).toBe('DEPLOY_001');
    const kb = fresh();
    const t = assignTask(kb, { to: 'Frontend Agent + QA Agent', task: 'E2E', priority: 'P0', dependencies: ['ASSIGN_004'] }, NOW);
    expect(t).toMatchObject({ id: 'ASSIGN_006', status: 'pending', waiting_for: 'ASSIGN_004', assigned_by: 'Product Manager/CTO Agent' });
    expect(kb.agent_coordination?.coordination_log?.at(-1)).toMatchObject({ event: 'assignment', to: 'Frontend Agent + QA Agent', assignment_id: 'ASSIGN_006' });
    expect(kb.agent_coordination?.agent_status?.['Product Manager/CTO Agent']?.assignments_made).toBe(6);
    expect(kb.agent_coordination?.agent_status?.['QA Agent']).toMatchObject({ status: 'assigned', assignment_id: 'ASSIGN_006' });
    expect(kb.agent_coordination?.agent_status?.['Frontend Agent']?.status).toBe('in_progress'); // busy: untouched
    expect(problemsOf(kb)).toEqual([]);
  });

  it('claim is a compare-and-swap', () => {
    const kb = fresh();
    expect(claimTask(kb, { id: 'ASSIGN_004', agent: 'QA Agent' }, NOW).already).toBe(false);
    expect(claimTask(kb, { id: 'ASSIGN_004', agent: 'qa agent' }, NOW).already).toBe(true);
    assignTask(kb, { to: 'Frontend Agent + QA Agent', task: 'shared' }, NOW);
    claimTask(kb, { id: 'ASSIGN_006', agent: 'Frontend Agent' }, NOW);
    expect(refusal(() => claimTask(kb, { id: 'ASSIGN_006', agent: 'QA Agent' }, NOW))).toMatch(/already claimed by Frontend Agent/);
    expect(refusal(() => claimTask(kb, { id: 'ASSIGN_003', agent: 'QA Agent' }, NOW))).toMatch(/waits for ASSIGN_002 \(ready\)/);
    expect(refusal(() => claimTask(kb, { id: 'ASSIGN_002', agent: 'DevOps Agent' }, NOW))).toMatch(/not among the assignees/);
    expect(refusal(() => claimTask(kb, { id: 'ASSIGN_001', agent: 'Backend API Agent' }, NOW))).toMatch(/is completed/);
    expect(refusal(() => claimTask(kb, { id: 'NOPE', agent: 'QA Agent' }, NOW))).toMatch(/no task with id "NOPE"/);
  });

  it('start, progress, complete update the task, the log, agent_status and dependants', () => {
    const kb = fresh();
    startTask(kb, { id: 'ASSIGN_002', agent: 'QA Agent' }, NOW);
    progressTask(kb, { id: 'ASSIGN_002', agent: 'QA Agent', progress: 60, note: 'half the cases' }, NOW);
    expect(refusal(() => progressTask(kb, { id: 'ASSIGN_002', agent: 'QA Agent', progress: 101 }, NOW))).toMatch(/between 0 and 100/);
    expect(refusal(() => completeTask(kb, { id: 'ASSIGN_002', agent: 'Frontend Agent' }, NOW))).toMatch(/already claimed by QA Agent/);
    const { task, unblocked } = completeTask(kb, { id: 'ASSIGN_002', agent: 'QA Agent', notes: 'all green' }, NOW);
    expect(task).toMatchObject({ status: 'completed', progress: 100, completed_at: NOW, result: 'success', notes: 'all green' });
    expect(unblocked).toEqual(['ASSIGN_003']);
    expect(kb.agents?.['QA Agent']?.completed_tasks).toEqual(['ASSIGN_002']);
    expect(kb.agent_coordination?.agent_status?.['QA Agent']).toMatchObject({ status: 'completed', progress: 100 });
    expect(kb.agent_coordination?.coordination_log?.slice(-3).map((e) => e.event)).toEqual(['start', 'progress_update', 'completion']);
    expect(nextTask(kb, 'Frontend Agent')?.id).toBe('ASSIGN_003');
    expect(problemsOf(kb)).toEqual([]);
  });

  it('block and unblock with a reason', () => {
    const kb = fresh();
    blockTask(kb, { id: 'ASSIGN_005', agent: 'Frontend Agent', reason: 'waiting for design' }, NOW);
    expect(blockedTasks(kb).find((b) => b.task.id === 'ASSIGN_005')?.reason).toBe('waiting for design');
    expect(refusal(() => completeTask(kb, { id: 'ASSIGN_005', agent: 'Frontend Agent' }, NOW))).toMatch(/blocked/);
    const t = unblockTask(kb, { id: 'ASSIGN_005', agent: 'Product Manager/CTO Agent', reason: 'design arrived' }, NOW);
    expect(t.status).toBe('in_progress');
    expect(t.waiting_for).toBeNull();
    expect(refusal(() => unblockTask(kb, { id: 'ASSIGN_005', agent: 'x', reason: 'y' }, NOW))).toMatch(/not blocked/);
  });

  it('the fixture file on disk is never modified by these tests', () => {
    expect(fs.readFileSync(FIXTURE, 'utf8')).not.toContain('"revision"');
  });
});
