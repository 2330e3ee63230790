import { parse } from 'yaml';
import type { WorkflowFinding } from './workflow-lint.js';

/**
 * Rules actionlint does not check but this repository requires of every workflow:
 * a top-level least-privilege `permissions:` block, and every action pinned to a version
 * (a tag such as `v4.2.2` or a commit SHA, never a branch).
 */
export function checkWorkflowPolicy(file: string, source: string): WorkflowFinding[] {
  const findings: WorkflowFinding[] = [];
  const doc = parse(source) as Record<string, unknown> | null;
  const at = (needle: string): { line: number; column: number } => {
    const index = source.indexOf(needle);
    if (index < 0) return { line: 1, column: 1 };
    const before = source.slice(0, index).split('\n');
    return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
  };
  if (!doc || typeof doc !== 'object' || !('permissions' in doc)) {
    findings.push({
      file,
      ...at('on:'),
      kind: 'permissions',
      message: 'no top-level "permissions:"; declare least privilege (e.g. "contents: read") and widen per job',
    });
  } else if (doc['permissions'] === 'write-all') {
    findings.push({ file, ...at('permissions:'), kind: 'permissions', message: '"permissions: write-all" is not least privilege' });
  }
  for (const match of source.matchAll(/uses:\s*["']?([^\s"'#]+)/g)) {
    const ref = match[1] as string;
    if (ref.startsWith('./') || ref.startsWith('docker://')) continue;
    const version = ref.split('@')[1];
    if (!version || !/^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(version)) {
      findings.push({
        file,
        ...at(match[0]),
        kind: 'pinning',
        message: `action "${ref}" is not pinned to a version tag or commit SHA`,
      });
    }
  }
  return findings;
}
