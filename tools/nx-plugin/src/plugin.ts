import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2 } from '@nx/devkit';
import { DOCKERFILE, IMAGE_BIN, MARKER_GLOB, type CiosPluginOptions } from './inference/markers.js';
import { binsOf, inferTargets, type PackageFacts, type ProjectFacts, type ToolLocation } from './inference/targets.js';

export type { CiosPluginOptions } from './inference/markers.js';

/**
 * Inferred CIOS targets (see inference/markers.ts for what marks a project). Loaded by Nx from
 * TypeScript source before anything is built, so it imports nothing from the workspace's packages.
 */
export const createNodesV2: CreateNodesV2<CiosPluginOptions> = [
  MARKER_GLOB,
  (files, options, context) => createCiosNodes(files, options ?? {}, context, readPackageJson),
];

/** Reads a package.json; separate so tests can hand in contents without a disk. */
export type PackageReader = (workspaceRoot: string, file: string) => PackageFacts;

export function createCiosNodes(
  files: readonly string[],
  options: CiosPluginOptions,
  context: Pick<CreateNodesContextV2, 'workspaceRoot'>,
  read: PackageReader,
): Array<readonly [string, CreateNodesResult]> {
  const manifests = files.filter((f) => posix.basename(f) === 'package.json' && posix.dirname(f) !== '.').sort();
  const dockerDirs = new Set(files.filter((f) => posix.basename(f) === DOCKERFILE).map((f) => posix.dirname(f)));
  const packages = manifests.map((file) => ({ file, root: posix.dirname(file), pkg: read(context.workspaceRoot, file) }));
  const imageCli = findTool(packages, IMAGE_BIN);
  const results: Array<readonly [string, CreateNodesResult]> = [];
  for (const { file, root, pkg } of packages) {
    const facts: ProjectFacts = { root, packageJson: pkg, hasDockerfile: dockerDirs.has(root) };
    const targets = inferTargets(facts, imageCli, options);
    if (Object.keys(targets).length > 0) results.push([file, { projects: { [root]: { targets } } }] as const);
  }
  return results;
}

function findTool(packages: ReadonlyArray<{ root: string; pkg: PackageFacts }>, bin: string): ToolLocation | undefined {
  for (const { root, pkg } of packages) {
    const binPath = binsOf(root, pkg)[bin];
    if (binPath && pkg.name) return { project: pkg.name, binPath };
  }
  return undefined;
}

function readPackageJson(workspaceRoot: string, file: string): PackageFacts {
  try {
    const value = JSON.parse(readFileSync(join(workspaceRoot, file), 'utf8')) as Record<string, unknown>;
    const name = typeof value['name'] === 'string' ? value['name'] : undefined;
    const bin = value['bin'];
    return {
      ...(name ? { name } : {}),
      ...(typeof bin === 'string' || (bin !== null && typeof bin === 'object') ? { bin: bin as PackageFacts['bin'] } : {}),
    };
  } catch {
    // A broken package.json is reported by Nx's own package.json plugin; inference just skips it.
    return {};
  }
}
