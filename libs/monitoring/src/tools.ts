import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile, cp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { LAYOUT } from './generate.js';
import type { RouteExpectation } from './alertmanager.js';

/** Debian packages that provide the validators. */
export const TOOL_PACKAGES = { promtool: 'prometheus', amtool: 'prometheus-alertmanager' } as const;

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly output: string;
  /** Why the check could not run here (it neither passed nor failed). */
  readonly skipped?: string;
}

/**
 * Debian builds Prometheus without the Kubernetes service discovery (its Go dependencies are not
 * packaged), so its promtool cannot parse `kubernetes_sd_configs`. That says nothing about the file.
 */
const KUBERNETES_SD_UNSUPPORTED = /field kubernetes_sd_configs not found/;

function configCheck(result: ToolResult): CheckResult {
  const checked = check('promtool check config', result);
  if (checked.ok || !KUBERNETES_SD_UNSUPPORTED.test(checked.output)) return checked;
  return {
    ...checked,
    ok: true,
    skipped: 'this promtool was built without Kubernetes service discovery (Debian); use upstream promtool to check the scrape config',
  };
}

export interface ValidationReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

export class ToolMissingError extends Error {
  constructor(readonly tool: keyof typeof TOOL_PACKAGES) {
    super(`${tool} is not on PATH; install the Debian package "${TOOL_PACKAGES[tool]}" (apt-get install -y --no-install-recommends ${TOOL_PACKAGES[tool]})`);
    this.name = 'ToolMissingError';
  }
}

export function findTool(tool: keyof typeof TOOL_PACKAGES): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, tool))) return join(dir, tool);
  }
  return undefined;
}

/** Runs a validator; never through a shell, so paths and labels need no quoting. */
export function runTool(tool: keyof typeof TOOL_PACKAGES, args: readonly string[], cwd?: string): Promise<ToolResult> {
  const path = findTool(tool);
  if (!path) return Promise.reject(new ToolMissingError(tool));
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((f) => f.endsWith(suffix)).sort();
}

/** One result for runs of the same tool: failed if any failed, their output in order. */
function mergeResults(results: readonly ToolResult[]): ToolResult {
  return {
    code: results.find((r) => r.code !== 0)?.code ?? 0,
    stdout: results.map((r) => r.stdout).join(''),
    stderr: results.map((r) => r.stderr).join(''),
  };
}

function check(name: string, result: ToolResult): CheckResult {
  return { name, ok: result.code === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * A prometheus directory (rules/, tests/) for promtool. The plain format has one; the operator format's
 * PrometheusRules are unwrapped into one in a temporary directory (removed by the returned cleanup).
 */
async function prometheusDir(dir: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const operatorRules = join(dir, 'operator', 'prometheusrules');
  if (!existsSync(operatorRules)) return { path: join(dir, 'prometheus'), cleanup: async () => undefined };
  const tmp = await mkdtemp(join(tmpdir(), 'cios-monitoring-'));
  await mkdir(join(tmp, 'rules'));
  for (const file of await listFiles(operatorRules, '.yaml')) {
    const resource = parse(await readFile(join(operatorRules, file), 'utf8')) as { spec?: { groups?: unknown } };
    if (!resource?.spec?.groups) throw new Error(`${join(operatorRules, file)}: spec.groups is missing; not a PrometheusRule`);
    await writeFile(join(tmp, 'rules', file.replace(/\.yaml$/, '.rules.yml')), JSON.stringify({ groups: resource.spec.groups }));
  }
  if (existsSync(join(dir, 'prometheus', 'tests'))) await cp(join(dir, 'prometheus', 'tests'), join(tmp, 'tests'), { recursive: true });
  return { path: tmp, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

export interface ValidateOptions {
  /** Called before each step, for progress lines. */
  readonly onStep?: (step: string) => void;
  /** promtool test processes run side by side. @default the machine's available parallelism (promtool tests one file at a time) */
  readonly parallelism?: number;
  /**
   * Accept a directory without promtool unit tests. Off by default: with no tests/ nothing proves the alerts
   * fire, so a missing or empty tests/ directory is a failed check, not a pass.
   */
  readonly skipTests?: boolean;
}

/**
 * Runs every validator over a generated directory: promtool check config (syntax only: credential files
 * live in the cluster), check rules with all linters fatal, the unit tests, amtool check-config and every
 * expected route. A missing or empty tests/ directory fails unless `skipTests`. Throws ToolMissingError when a
 * tool is missing.
 */
export async function validateDirectory(dir: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const step = options.onStep ?? (() => undefined);
  const checks: CheckResult[] = [];
  if (!existsSync(dir)) throw new Error(`${dir} does not exist; run "cios-monitoring generate" first`);
  const config = join(dir, LAYOUT.prometheusConfig);
  if (existsSync(config)) {
    step('promtool check config');
    checks.push(configCheck(await runTool('promtool', ['check', 'config', '--syntax-only', config])));
  }
  const prom = await prometheusDir(dir);
  try {
    const rules = (await listFiles(join(prom.path, 'rules'), '.yml')).map((f) => join(prom.path, 'rules', f));
    if (rules.length === 0) checks.push({ name: 'rules present', ok: false, output: `no rule files under ${dir}` });
    else {
      step(`promtool check rules (${rules.length} files)`);
      checks.push(check('promtool check rules', await runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...rules])));
    }
    const tests = await listFiles(join(prom.path, 'tests'), '.test.yml');
    if (options.skipTests) {
      checks.push({ name: 'promtool test rules', ok: true, output: '', skipped: 'unit tests skipped on request (--skip-tests)' });
    } else if (tests.length === 0) {
      checks.push({ name: 'promtool test rules', ok: false, output: `no *.test.yml under ${join(dir, 'prometheus', 'tests')}: nothing proves the alerts fire` });
    } else {
      const workers = Math.max(1, Math.min(options.parallelism ?? availableParallelism(), tests.length));
      step(`promtool test rules (${tests.length} files, ${workers} at a time)`);
      // Files dealt round-robin so each process gets a similar mix of tiers; one check, output in file order.
      const shares = Array.from({ length: workers }, (_, w) => tests.filter((_, i) => i % workers === w));
      const results = await Promise.all(shares.map((share) => runTool('promtool', ['test', 'rules', ...share], join(prom.path, 'tests'))));
      checks.push(check('promtool test rules', mergeResults(results)));
    }
  } finally {
    await prom.cleanup();
  }
  const am = join(dir, LAYOUT.alertmanager);
  if (existsSync(am)) {
    step('amtool check-config');
    checks.push(check('amtool check-config', await runTool('amtool', ['check-config', am])));
    const routesFile = join(dir, LAYOUT.routeTests);
    if (existsSync(routesFile)) {
      const cases = JSON.parse(await readFile(routesFile, 'utf8')) as RouteExpectation[];
      step(`amtool config routes test (${cases.length} cases)`);
      for (const c of cases) {
        const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
        const result = await runTool('amtool', [
          'config',
          'routes',
          'test',
          `--config.file=${am}`,
          `--verify.receivers=${c.receivers.join(',')}`,
          ...labels,
        ]);
        checks.push(check(`route ${labels.join(' ')} → ${c.receivers.join(',')}`, result));
      }
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}
