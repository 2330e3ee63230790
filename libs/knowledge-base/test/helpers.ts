import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(LIB_ROOT, 'dist', 'cli.js');
export const DIST_INDEX = path.join(LIB_ROOT, 'dist', 'index.js');
export const FIXTURE = path.join(LIB_ROOT, 'test', 'fixtures', 'sample-kb.json');
/**
 * The real KB of the original CIOS agents (never copied into the repository): `CIOS_NEURON_KB`, else
 * `../shared/fixtures/neuron-kb.json` beside the repository, else where these machines keep it. Tests that
 * read it are skipped, with a warning, only when it is nowhere and `CIOS_NEURON_KB` is unset: set it to
 * make its absence a failure.
 */
const NEURON_CANDIDATES = [path.resolve(LIB_ROOT, '..', '..', '..', 'shared', 'fixtures', 'neuron-kb.json'), '/work/shared/fixtures/neuron-kb.json'];
export const NEURON_KB = process.env['CIOS_NEURON_KB'] || (NEURON_CANDIDATES.find((f) => fs.existsSync(f)) ?? (NEURON_CANDIDATES[0] as string));
export const NEURON_KB_TESTED = Boolean(process.env['CIOS_NEURON_KB']) || fs.existsSync(NEURON_KB);

export function assertBuilt(): void {
  if (!fs.existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build first (npx nx run @cios/knowledge-base:build, or run the test target through Nx)`);
  }
}

const made: string[] = [];

/** A fresh temporary directory holding a copy of `source` as .ai-knowledge-base.json. */
export function tempKb(source: string | object = FIXTURE): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-kb-test-'));
  made.push(dir);
  const file = path.join(dir, '.ai-knowledge-base.json');
  if (typeof source === 'string') fs.copyFileSync(source, file);
  else fs.writeFileSync(file, JSON.stringify(source, null, 2));
  fs.chmodSync(file, 0o644);
  return { dir, file };
}

export function cleanupTemp(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? os.tmpdir(),
    env: { ...process.env, CIOS_KB: '', CIOS_AGENT: '', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function runCliAsync(args: readonly string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? os.tmpdir(), env: { ...process.env, CIOS_KB: '', CIOS_AGENT: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** No Node stack trace lines in the output. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(text) || /^\s+at .+:\d+:\d+$/m.test(text) || text.includes('node:internal');
}

/** The items test/workers/writer.mjs recorded, in order: `test_items` (update path) or logged changes (queue path). */
export function writtenItems(kb: Record<string, unknown>, path: 'update' | 'queue'): string[] {
  if (path === 'update') return (kb['test_items'] as string[] | undefined) ?? [];
  const changes = (kb['infrastructure_changes'] as { what: string; why: string }[] | undefined) ?? [];
  return changes.filter((c) => c.why === 'test').map((c) => c.what);
}
