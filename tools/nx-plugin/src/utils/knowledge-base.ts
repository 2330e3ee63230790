import type { Tree } from '@nx/devkit';
import type * as Kb from '@cios/knowledge-base';
import { importWorkspacePackage } from './workspace-import.js';

export interface KbAssignment {
  readonly to: string;
  readonly task: string;
  readonly description: string;
  readonly priority: string;
}

/**
 * Adds an assignment to the tree's `.ai-knowledge-base.json` with the KB library's own pure mutation,
 * so ids, logs and agent status follow the same rules as `cios-kb assign`. The tree is written only
 * when Nx commits the generator's changes; no lock is taken here because nothing is written yet.
 * Returns the new assignment's id, or undefined when the workspace has no knowledge base.
 */
export async function assignInKnowledgeBase(tree: Tree, assignment: KbAssignment, now: Date): Promise<string | undefined> {
  const kb = await importWorkspacePackage<typeof Kb>('@cios/knowledge-base', tree.root);
  const file = kb.KB_FILE_NAME;
  const text = tree.read(file, 'utf-8');
  if (text === null) return undefined;
  const parsed = kb.assertKnowledgeBase(kb.parseKbJson(text, { file }), file);
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const created = kb.assignTask(
    parsed,
    { to: assignment.to, task: assignment.task, description: assignment.description, priority: assignment.priority },
    stamp,
  );
  // The same bookkeeping `update()` does, so readers using expectRevision see the change.
  if ('revision' in parsed) {
    parsed.revision = kb.revisionOf(parsed) + 1;
    if ('last_updated' in parsed) parsed.last_updated = stamp;
  }
  const problems = kb.problemsOf(parsed);
  if (problems.length > 0) throw new Error(`${file}: the assignment would make the knowledge base invalid:\n  ${problems.join('\n  ')}`);
  tree.write(file, kb.serializeKb(parsed));
  return created.id;
}
