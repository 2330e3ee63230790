import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';

/** The real workspace this test runs in. */
export const WORKSPACE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'out-tsc' || entry.startsWith('.vite')) return [];
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * An empty Nx workspace plus copies of the real files the generators edit (the catalog, the infra
 * policy, the KB), so the tests break when those layouts change under the generators.
 */
export function workspaceTree(paths: readonly string[]): Tree {
  const tree = createTreeWithEmptyWorkspace();
  for (const path of paths) {
    const absolute = join(WORKSPACE_ROOT, path);
    const files = statSync(absolute).isDirectory() ? walk(absolute) : [absolute];
    for (const file of files) tree.write(relative(WORKSPACE_ROOT, file), readFileSync(file));
  }
  return tree;
}

/**
 * Writes a project of the tree to a temporary folder that shares the real node_modules, so a test
 * can import the generated TypeScript and see whether it still validates. Call the returned cleanup.
 */
export function materialize(tree: Tree, project: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cios-nx-plugin-'));
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const copy = (dir: string): void => {
    for (const child of tree.children(dir)) {
      const path = `${dir}/${child}`;
      if (tree.isFile(path)) {
        mkdirSync(join(root, dir), { recursive: true });
        writeFileSync(join(root, path), tree.read(path) as Buffer);
      } else copy(path);
    }
  };
  copy(project);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A file of the tree as text; a missing file fails the test with its path. */
export function readText(tree: Tree, path: string): string {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`expected ${path} in the tree`);
  return text;
}

/** The value, or a failed test naming what was missing. */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}

/**
 * Runs a materialized project's own vitest suite (or the named spec files) in a child process, as
 * `nx test` would: what the generated files do to that project's tests, not only whether they import.
 */
export function runProjectTests(root: string, project: string, files: readonly string[] = []): { ok: boolean; output: string } {
  const vitest = join(WORKSPACE_ROOT, 'node_modules/vitest/vitest.mjs');
  const result = spawnSync(process.execPath, [vitest, 'run', ...files], {
    cwd: join(root, project),
    encoding: 'utf8',
    env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 240_000,
  });
  const output = `${result.stdout}\n${result.stderr}`;
  return { ok: result.status === 0, output: output.slice(-6000) };
}
