/**
 * The changes one process can make on behalf of another (see commit-queue.ts): each is named,
 * takes plain JSON input and depends only on the KB, that input and the time, so a change
 * written down by one agent gives the same result when another agent's process applies it.
 */
import { assignTask, blockTask, claimNextTask, claimTask, completeTask, progressTask, startTask, unblockTask } from './mutations.js';
import { approve, logInfrastructureChange, recordDeployment, recordTestRun, requestApproval, updateDeployment, type ApproveInput, type DeploymentPatch } from './platform.js';
import type { KnowledgeBase } from './schema.js';

export const operations = {
  assign: assignTask,
  claim: claimTask,
  'claim-next': claimNextTask,
  start: startTask,
  progress: progressTask,
  complete: completeTask,
  block: blockTask,
  unblock: unblockTask,
  'log-change': logInfrastructureChange,
  'record-deployment': recordDeployment,
  'update-deployment': (kb: KnowledgeBase, input: { id: string; patch: DeploymentPatch }, now: string) => updateDeployment(kb, input.id, input.patch, now),
  'record-tests': recordTestRun,
  'request-approval': requestApproval,
  approve: (kb: KnowledgeBase, input: ApproveInput, now: string) => approve(kb, input, now),
} as const;

export type OperationName = keyof typeof operations;
export type OperationInput<K extends OperationName> = Parameters<(typeof operations)[K]>[1];
export type OperationValue<K extends OperationName> = ReturnType<(typeof operations)[K]>;
export const OPERATION_NAMES = Object.keys(operations) as [OperationName, ...OperationName[]];

export function applyOperation<K extends OperationName>(kb: KnowledgeBase, op: K, input: OperationInput<K>, now: string): OperationValue<K> {
  const apply = operations[op] as (kb: KnowledgeBase, input: OperationInput<K>, now: string) => OperationValue<K>;
  return apply(kb, input, now);
}

/** A change that reports `already` (claiming what one holds, starting a started task, no task to claim) writes nothing. */
export function changedNothing(value: unknown): boolean {
  return (value as { already?: unknown } | null | undefined)?.already === true;
}
