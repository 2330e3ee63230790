/**
 * Integrity checks beyond shape: duplicate IDs, dependencies on unknown IDs,
 * self-dependencies and dependency cycles. Returns `path: message` strings.
 */
import type { Assignment, KnowledgeBase } from './schema.js';

export interface LocatedTask {
  task: Assignment;
  path: string;
}

export function locatedTasks(kb: KnowledgeBase): LocatedTask[] {
  const out: LocatedTask[] = [];
  const ac = kb.agent_coordination;
  if (!ac) return out;
  ac.active_assignments?.forEach((task, i) => out.push({ task, path: `agent_coordination.active_assignments[${i}]` }));
  ac.recent_assignments?.forEach((task, i) => out.push({ task, path: `agent_coordination.recent_assignments[${i}]` }));
  return out;
}

function duplicateIds(items: readonly { id: string }[] | undefined, section: string, problems: string[]): void {
  if (!items) return;
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first === undefined) seen.set(item.id, i);
    else problems.push(`${section}[${i}].id: duplicate id "${item.id}" (also at ${section}[${first}])`);
  });
}

export function checkIntegrity(kb: KnowledgeBase): string[] {
  const problems: string[] = [];
  const tasks = locatedTasks(kb);
  const byId = new Map<string, LocatedTask>();
  for (const located of tasks) {
    const previous = byId.get(located.task.id);
    if (previous) problems.push(`${located.path}.id: duplicate id "${located.task.id}" (also at ${previous.path})`);
    else byId.set(located.task.id, located);
  }
  for (const { task, path } of tasks) {
    task.dependencies?.forEach((dep, j) => {
      if (dep === task.id) problems.push(`${path}.dependencies[${j}]: task "${task.id}" depends on itself`);
      else if (!byId.has(dep)) problems.push(`${path}.dependencies[${j}]: unknown task id "${dep}"`);
    });
  }
  problems.push(...findCycles(byId));
  duplicateIds(kb.deployments, 'deployments', problems);
  duplicateIds(kb.approvals, 'approvals', problems);
  duplicateIds(kb.infrastructure_changes, 'infrastructure_changes', problems);
  return problems;
}

/** Iterative DFS (white/grey/black); reports each cycle once, naming it. */
function findCycles(byId: Map<string, LocatedTask>): string[] {
  const problems: string[] = [];
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  for (const start of byId.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const iters: number[] = [];
    const push = (id: string) => {
      state.set(id, 1);
      path.push(id);
      iters.push(0);
    };
    push(start);
    while (path.length > 0) {
      const top = path.length - 1;
      const id = path[top] as string;
      const deps = byId.get(id)?.task.dependencies ?? [];
      const i = iters[top] as number;
      if (i >= deps.length) {
        state.set(id, 2);
        path.pop();
        iters.pop();
        continue;
      }
      iters[top] = i + 1;
      const dep = deps[i] as string;
      if (dep === id || !byId.has(dep)) continue; // reported elsewhere
      const s = state.get(dep);
      if (s === undefined) push(dep);
      else if (s === 1) {
        const cycle = [...path.slice(path.indexOf(dep)), dep];
        const where = byId.get(id)?.path ?? id;
        problems.push(`${where}.dependencies: dependency cycle ${cycle.join(' → ')}`);
      }
    }
  }
  return problems;
}
