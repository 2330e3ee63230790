import { describe, expect, it } from 'vitest';
import type { CreateNodesResult } from '@nx/devkit';
import { defined } from './workspace-tree.js';
import { createCiosNodes, inferTargets, MARKER_GLOB, type PackageFacts } from '../src/index.js';

const ROOT = '/workspace';

/** A fake workspace: package.json contents by path; Dockerfiles are just paths. */
function run(packages: Record<string, PackageFacts>, dockerfiles: string[] = [], options = {}) {
  const files = [...Object.keys(packages), ...dockerfiles];
  const reads: string[] = [];
  const results = createCiosNodes(files, options, { workspaceRoot: ROOT }, (root, file) => {
    expect(root).toBe(ROOT);
    reads.push(file);
    const pkg = packages[file];
    if (!pkg) throw new Error(`unexpected read of ${file}`);
    return pkg;
  });
  const byRoot: Record<string, NonNullable<NonNullable<CreateNodesResult['projects']>[string]['targets']>> = {};
  for (const [, result] of results) {
    for (const [root, project] of Object.entries(result.projects ?? {})) byRoot[root] = project.targets ?? {};
  }
  return { results, byRoot, reads };
}

const WORKSPACE: Record<string, PackageFacts> = {
  'package.json': { name: '@cios/platform' },
  'libs/infra/package.json': { name: '@cios/infra', bin: { 'cios-synth': './bin/cios-synth.js' } },
  'apps/monitoring-config/package.json': { name: '@cios/monitoring-config', bin: { 'cios-monitoring': './bin/cios-monitoring.js' } },
  'apps/image-cli/package.json': { name: '@cios/image-cli', bin: { 'cios-image': './bin/cios-image.js' } },
  'apps/sample-api/package.json': { name: '@cios/sample-api', bin: { 'sample-api': './bin/sample-api.js' } },
  'libs/catalog/package.json': { name: '@cios/catalog' },
};

describe('createNodesV2 inference', () => {
  it('matches package.json files and Dockerfiles', () => {
    expect(MARKER_GLOB).toBe('**/{package.json,Dockerfile}');
  });

  it('gives a project shipping cios-synth cacheable synth and an uncached plan', () => {
    const { byRoot } = run(WORKSPACE);
    const infra = defined(byRoot['libs/infra'], 'libs/infra');
    expect(Object.keys(infra).sort()).toEqual(['plan', 'synth']);
    expect(infra['synth']).toMatchObject({
      command: 'node libs/infra/bin/cios-synth.js --all --preview --out dist/stacks',
      cache: true,
      dependsOn: ['build', '^build'],
      inputs: ['production', '^production'],
      outputs: ['{workspaceRoot}/dist/stacks'],
    });
    expect(infra['plan']).toMatchObject({ cache: false, dependsOn: ['synth'], options: { environment: 'dev', forwardAllArgs: false } });
    expect(defined(infra['plan'], 'plan').command).toContain('terraform -chdir="$stack" plan');
    expect(defined(infra['plan'], 'plan').command).toContain('cp -R dist/stacks/{args.environment} dist/plan/{args.environment}');
    expect(defined(infra['plan'], 'plan').command).toContain('for stack in dist/plan/{args.environment}/*/');
  });

  it('gives a project shipping cios-monitoring generate and validate, validate after generate', () => {
    const monitoring = defined(run(WORKSPACE).byRoot['apps/monitoring-config'], 'apps/monitoring-config');
    expect(Object.keys(monitoring).sort()).toEqual(['generate', 'validate']);
    expect(monitoring['generate']).toMatchObject({
      command: 'node apps/monitoring-config/bin/cios-monitoring.js generate --out dist/monitoring',
      cache: true,
      outputs: ['{workspaceRoot}/dist/monitoring'],
      inputs: ['production', '^production'],
    });
    expect(monitoring['validate']).toMatchObject({ cache: true, dependsOn: ['generate'] });
  });

  it('gives a project with a Dockerfile image and image-push that run cios-image and build it first', () => {
    const { byRoot } = run(WORKSPACE, ['apps/sample-api/Dockerfile']);
    const api = defined(byRoot['apps/sample-api'], 'apps/sample-api');
    expect(Object.keys(api).sort()).toEqual(['image', 'image-push']);
    expect(api['image']).toMatchObject({
      command: 'node apps/image-cli/bin/cios-image.js build sample-api',
      cache: false,
      dependsOn: [{ projects: ['@cios/image-cli'], target: 'build' }, '^build'],
    });
    expect(api['image-push']).toMatchObject({
      command: 'node apps/image-cli/bin/cios-image.js push sample-api',
      cache: false,
    });
    expect(defined(api['image-push'], 'image-push').dependsOn).toContain('image');
    // The registry is cios-image's choice ($CIOS_REGISTRY, else ghcr.io) unless --registry is passed through.
    expect(api['image-push']?.options).toBeUndefined();
  });

  it('marks nothing else: plain libraries, the workspace root, a Dockerfile outside any project', () => {
    const { byRoot, results } = run(WORKSPACE, ['docker/Dockerfile']);
    expect(Object.keys(byRoot).sort()).toEqual(['apps/monitoring-config', 'libs/infra']);
    expect(results.every(([file]) => file.endsWith('package.json'))).toBe(true);
  });

  it('never reads the workspace root package.json', () => {
    expect(run(WORKSPACE).reads).not.toContain('package.json');
  });

  it('skips image targets, rather than inventing a command, when no project ships cios-image', () => {
    const { ['apps/image-cli/package.json']: _removed, ...withoutCli } = WORKSPACE;
    expect(run(withoutCli, ['apps/sample-api/Dockerfile']).byRoot['apps/sample-api']).toBeUndefined();
  });

  it('honours renamed targets, and a bin given as a string under the package name', () => {
    const targets = inferTargets(
      { root: 'tools/stacks', packageJson: { name: '@acme/cios-synth', bin: 'cli.js' }, hasDockerfile: false },
      undefined,
      { synthTargetName: 'tf-synth', planTargetName: 'tf-plan' },
    );
    expect(Object.keys(targets).sort()).toEqual(['tf-plan', 'tf-synth']);
    expect(defined(targets['tf-synth'], 'tf-synth').command).toBe('node tools/stacks/cli.js --all --preview --out dist/stacks');
    expect(defined(targets['tf-plan'], 'tf-plan').dependsOn).toEqual(['tf-synth']);
  });

  it('is deterministic: same files, same answer, whatever the order', () => {
    const a = run(WORKSPACE, ['apps/sample-api/Dockerfile']).results;
    const reversed = Object.fromEntries(Object.entries(WORKSPACE).reverse());
    const b = run(reversed, ['apps/sample-api/Dockerfile']).results;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
