import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../../..');
export const SAMPLE_API = join(WORKSPACE_ROOT, 'apps/sample-api');

/**
 * A throw-away git repository holding a copy of apps/sample-api as built in the workspace, so tests can commit
 * and change a source file without touching the real checkout. It is an npm workspace of its own (no
 * dependencies to fetch), so the SBOM tool can run `npm ls` in it offline.
 */
export function sampleApiRepo(): { dir: string; commit: () => string; git: (...args: string[]) => string } {
  for (const needed of ['Dockerfile', 'package.json', 'bin', 'dist']) {
    if (!existsSync(join(SAMPLE_API, needed))) {
      throw new Error(`apps/sample-api/${needed} is missing: build the workspace first (npx nx run-many -t build)`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'cios-image-repo-'));
  const app = join(dir, 'apps/sample-api');
  for (const entry of ['Dockerfile', '.dockerignore', 'package.json', 'bin', 'dist']) {
    if (existsSync(join(SAMPLE_API, entry))) cpSync(join(SAMPLE_API, entry), join(app, entry), { recursive: true });
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'cios-image-fixture', private: true, workspaces: ['apps/*'] }, null, 2)}\n`);
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=CIOS Test', '-c', 'user.email=test@cios.invalid', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  execFileSync('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
  return { dir, commit: () => git('rev-parse', 'HEAD'), git };
}
