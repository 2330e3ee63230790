import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import type * as Kb from '@cios/knowledge-base';
import { importWorkspacePackage } from './workspace-import.js';

export interface KbAssignment {
  readonly to: string;
  readonly task: string;
  readonly description: string;
  readonly priority: string;
}

/** An assignment checked against the KB as it is now, to be made once the generator's files are written. */
export interface PlannedAssignment {
  /** The id it would get if nothing else is assigned first (agents may take the next id meanwhile). */
  readonly expectedId: string;
  /** Make it in the KB on disk (default: the workspace's own); resolves to the id it got. */
  commit(file?: string): Promise<string>;
}

/**
 * Checks the assignment with the KB library's own mutation on the tree's `.ai-knowledge-base.json`, so a
 * KB that would refuse it stops the generator before anything is written. It is not written through the
 * tree: the KB is shared with running agents, and Nx writing back the whole file when it flushes would
 * silently drop any change an agent made in between. `commit()` makes it through `submitChange` (queued,
 * locked, validated, atomic, `.bak` kept), after Nx has written the files; Nx skips that on --dry-run.
 * Returns undefined when the workspace has no knowledge base.
 */
export async function planAssignment(tree: Tree, assignment: KbAssignment, now: Date): Promise<PlannedAssignment | undefined> {
  const kb = await importWorkspacePackage<typeof Kb>('@cios/knowledge-base', tree.root);
  const file = kb.KB_FILE_NAME;
  const text = tree.read(file, 'utf-8');
  if (text === null) return undefined;
  const trial = kb.assertKnowledgeBase(kb.parseKbJson(text, { file }), file);
  const input = { to: assignment.to, task: assignment.task, description: assignment.description, priority: assignment.priority };
  const expected = kb.assignTask(trial, input, now.toISOString());
  const problems = kb.problemsOf(trial);
  if (problems.length > 0) throw new Error(`${file}: the assignment would make the knowledge base invalid:\n  ${problems.join('\n  ')}`);
  return {
    expectedId: expected.id,
    async commit(target = join(tree.root, file)) {
      const made = await kb.submitChange('assign', input, { file: target, agent: 'nx-plugin service generator', now: () => now });
      return made.value.id;
    },
  };
}
