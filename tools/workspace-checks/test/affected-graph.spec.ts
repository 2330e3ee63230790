import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

interface WorkspacePackage {
  readonly name: string;
  readonly dependencies: readonly string[];
}

/** Every workspace package with the @cios packages it declares it depends on. */
function workspacePackages(): WorkspacePackage[] {
  return ['apps', 'libs', 'tools'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((dir) => join(root, group, dir, 'package.json'))
      .filter((file) => existsSync(file))
      .map((file) => {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
        const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) => d.startsWith('@cios/'));
        return { name: pkg.name, dependencies: deps };
      }),
  );
}

/** The package and everything that depends on it, directly or not. */
function dependentsOf(name: string, packages: readonly WorkspacePackage[]): string[] {
  const found = new Set([name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const pkg of packages) {
      if (!found.has(pkg.name) && pkg.dependencies.some((d) => found.has(d))) {
        found.add(pkg.name);
        grew = true;
      }
    }
  }
  return [...found].sort();
}

function affectedBy(file: string): string[] {
  const out = execFileSync('npx', ['nx', 'show', 'projects', '--affected', `--files=${file}`, '--json'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    encoding: 'utf8',
  });
  return (JSON.parse(out.slice(out.indexOf('['))) as string[]).sort();
}

describe('affected graph', () => {
  it('a change under libs/knowledge-base affects it and its dependents, nothing else', () => {
    const affected = affectedBy('libs/knowledge-base/src/index.ts');
    expect(affected).toEqual(dependentsOf('@cios/knowledge-base', workspacePackages()));
    expect(affected).toContain('@cios/knowledge-base');
    for (const unrelated of ['@cios/platform-spec', '@cios/catalog', '@cios/infra', '@cios/monitoring']) {
      expect(affected).not.toContain(unrelated);
    }
  }, 120_000);

  it('a change to platform-spec affects every project built on it', () => {
    const affected = affectedBy('libs/platform-spec/src/service.ts');
    expect(affected).toEqual(dependentsOf('@cios/platform-spec', workspacePackages()));
    expect(affected).not.toContain('@cios/knowledge-base');
  }, 120_000);
});
