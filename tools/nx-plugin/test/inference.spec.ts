import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreateNodesResult } from '@nx/devkit';
import { platform } from '@cios/catalog';
import { defined, WORKSPACE_ROOT } from './workspace-tree.js';
import { createCiosNodes, inferTargets, MARKER_GLOB, type CiosPluginOptions, type PackageFacts } from '../src/index.js';
import { PLUGIN_ENTRY } from '../src/utils/plugin-environments.js';

const ROOT = '/workspace';

/** A fake workspace: package.json contents by path; Dockerfiles are just paths. */
function run(packages: Record<string, PackageFacts>, dockerfiles: string[] = [], options: CiosPluginOptions | Record<string, unknown> = {}) {
  const files = [...Object.keys(packages), ...dockerfiles];
  const reads: string[] = [];
  const results = createCiosNodes(files, options as CiosPluginOptions, { workspaceRoot: ROOT }, (root, file) => {
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

const ENVIRONMENTS = ['dev', 'staging', 'prod'];

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

  it('gives a project shipping cios-synth one cached synth per environment listed in nx.json, and an uncached plan each', () => {
    const { byRoot } = run(WORKSPACE, [], { environments: ENVIRONMENTS });
    const infra = defined(byRoot['libs/infra'], 'libs/infra');
    expect(Object.keys(infra).sort()).toEqual(['plan-dev', 'plan-prod', 'plan-staging', 'synth', 'synth-dev', 'synth-prod', 'synth-staging']);
    for (const env of ENVIRONMENTS) {
      expect(infra[`synth-${env}`]).toEqual({
        command: `node libs/infra/bin/cios-synth.js --env ${env} --preview --out dist/stacks/${env}`,
        cache: true,
        dependsOn: ['build', '^build'],
        inputs: ['production', '^production'],
        outputs: [`{workspaceRoot}/dist/stacks/${env}`],
        metadata: expect.objectContaining({ technologies: ['terraform'] }),
      });
      const plan = defined(infra[`plan-${env}`], `plan-${env}`);
      expect(plan).toMatchObject({ cache: false, dependsOn: [`synth-${env}`] });
      expect(plan.options).toBeUndefined();
      expect(plan.command).toContain(`cp -R dist/stacks/${env} dist/plan/${env}`);
      expect(plan.command).toContain(`for stack in dist/plan/${env}/*/`);
      expect(plan.command).toContain('terraform -chdir="$stack" plan');
      expect(plan.command).not.toContain('{args.');
    }
    // `nx run-many -t synth` reaches every environment through the aggregate, which itself does nothing.
    expect(infra['synth']).toMatchObject({ executor: 'nx:noop', dependsOn: ['synth-dev', 'synth-staging', 'synth-prod'] });
    expect(infra['synth']?.command).toBeUndefined();
  });

  it('without a list of environments: one synth of every environment, and a plan taking --environment', () => {
    const infra = defined(run(WORKSPACE).byRoot['libs/infra'], 'libs/infra');
    expect(Object.keys(infra).sort()).toEqual(['plan', 'synth']);
    expect(infra['synth']).toMatchObject({
      command: 'node libs/infra/bin/cios-synth.js --all --preview --out dist/stacks',
      cache: true,
      dependsOn: ['build', '^build'],
      inputs: ['production', '^production'],
      outputs: ['{workspaceRoot}/dist/stacks'],
    });
    expect(infra['plan']).toMatchObject({ cache: false, dependsOn: ['synth'], options: { environment: 'dev', forwardAllArgs: false } });
    expect(defined(infra['plan'], 'plan').command).toContain('cp -R dist/stacks/{args.environment} dist/plan/{args.environment}');
    expect(defined(infra['plan'], 'plan').command).toContain('(run the synth target)');
  });

  it('refuses environment names that are no DNS-1123 labels (they land in shell commands), naming them', () => {
    expect(() => run(WORKSPACE, [], { environments: ['dev', 'prod; rm -rf /'] })).toThrow(
      '@cios/nx-plugin: option "environments" in nx.json holds "prod; rm -rf /", not environment names (DNS-1123 labels such as "dev")',
    );
    expect(() => run(WORKSPACE, [], { environments: 'dev' })).toThrow('option "environments" in nx.json must be a list of environment names');
  });

  it("lists in the workspace's nx.json exactly the catalog's environments, in the catalog's order", () => {
    const nxJson = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8')) as { plugins: Array<string | { plugin: string; options?: { environments?: string[] } }> };
    const entry = nxJson.plugins.find((p) => typeof p === 'object' && p.plugin === PLUGIN_ENTRY);
    expect(typeof entry === 'object' ? entry.options?.environments : undefined).toEqual(platform.environments.map((e) => e.name));
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

  it('gives a project with a Dockerfile a cached image target (archive and record as outputs) and an uncached image-push', () => {
    const { byRoot } = run(WORKSPACE, ['apps/sample-api/Dockerfile']);
    const api = defined(byRoot['apps/sample-api'], 'apps/sample-api');
    expect(Object.keys(api).sort()).toEqual(['image', 'image-push']);
    const cliBuild = { projects: ['@cios/image-cli'], target: 'build' };
    expect(api['image']).toMatchObject({
      command: 'node apps/image-cli/bin/cios-image.js build sample-api',
      cache: true,
      // Its own build (dist/ is what the image copies), the workspace packages it bundles, and the CLI.
      dependsOn: [cliBuild, 'build', '^build'],
      outputs: ['{workspaceRoot}/dist/images/sample-api', '{workspaceRoot}/dist/images/sboms/sample-api.cdx.json'],
    });
    // The Dockerfile, .dockerignore and sources are in production; a dependency's change invalidates it; the
    // CLI that decides how it is built too; the commit is deliberately no input.
    expect(api['image']?.inputs).toEqual([
      'production',
      '^production',
      { input: 'production', projects: ['@cios/image-cli'] },
      { env: 'SOURCE_DATE_EPOCH' },
      { env: 'CIOS_IMAGE_BUILDER' },
    ]);
    expect(api['image-push']).toMatchObject({
      command: 'node apps/image-cli/bin/cios-image.js push sample-api --from-archive',
      cache: false,
      dependsOn: ['image', cliBuild],
    });
    expect(api['image-push']?.outputs).toBeUndefined();
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
    const perEnv = inferTargets(
      { root: 'tools/stacks', packageJson: { name: '@acme/cios-synth', bin: 'cli.js' }, hasDockerfile: false },
      undefined,
      { synthTargetName: 'tf-synth', planTargetName: 'tf-plan', environments: ['qa', 'qa'] },
    );
    expect(Object.keys(perEnv).sort()).toEqual(['tf-plan-qa', 'tf-synth', 'tf-synth-qa']);
    expect(perEnv['tf-synth']?.dependsOn).toEqual(['tf-synth-qa']);
    expect(perEnv['tf-plan-qa']?.dependsOn).toEqual(['tf-synth-qa']);
  });

  it('is deterministic: same files, same answer, whatever the order', () => {
    const a = run(WORKSPACE, ['apps/sample-api/Dockerfile']).results;
    const reversed = Object.fromEntries(Object.entries(WORKSPACE).reverse());
    const b = run(reversed, ['apps/sample-api/Dockerfile']).results;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});
