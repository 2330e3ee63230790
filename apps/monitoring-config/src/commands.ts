import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { environments, platform } from '@cios/catalog';
import { generateMonitoring, validateDirectory, writeFilesAtomically, type MonitoringFormat } from '@cios/monitoring';
import { readPolicyFile } from './policy-file.js';

const USAGE = `cios-monitoring — monitoring config generated from the CIOS catalog, proven by promtool and amtool

Usage:
  cios-monitoring generate [--env E [--cluster C]] [--out DIR] [--format files|operator] [--policy FILE] [--json]
      Write Prometheus rules, Alertmanager config, Grafana dashboards, scrape config (or
      ServiceMonitors and PrometheusRules with --format operator), the kube-state-metrics settings
      the rules rely on and promtool unit tests.
      With --env: into DIR (default dist/monitoring/E). Without: every environment into DIR/<env>
      (default DIR dist/monitoring). Each DIR is replaced as a whole, so one that is not empty and
      holds no .cios-monitoring file (written into every generated directory) is refused.
      --cluster C: for cluster C of E instead of its primary (default DIR dist/monitoring/C); a
      secondary (standby) cluster's alerts carry cluster="C" and its Alertmanager pages no one.
      --policy FILE: a JSON object of SloPolicy fields (period, tiers, minRequests, alertOnAbsent,
      absentFor, scrapeInterval, evaluationInterval, runbookBaseUrl, grafanaBaseUrl, …). Each field
      given replaces the catalog's sloPolicy field, which replaces the default.
  cios-monitoring validate [DIR | --dir DIR] [--skip-tests] [--json]
      Run promtool (check config, check rules --lint=all --lint-fatal, test rules) and amtool
      (check-config, config routes test) on generated files. DIR may hold one environment or one
      directory per environment (default dist/monitoring). No promtool unit tests (prometheus/tests
      missing or empty) is a failure unless --skip-tests.

Exit codes: 0 done, 1 a check failed or the input is invalid, 2 usage error.`;

export class UsageError extends Error {}

const FORMATS: readonly MonitoringFormat[] = ['files', 'operator'];

interface Output {
  json: boolean;
  progress(line: string): void;
  result(value: unknown, text: string): void;
}

function output(json: boolean): Output {
  return {
    json,
    progress: (line) => {
      if (!json) process.stderr.write(`… ${line}\n`);
    },
    result: (value, text) => process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`),
  };
}

async function generate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string' },
      cluster: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'files' },
      policy: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const format = values.format as MonitoringFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);
  const envNames = values.env ? [values.env] : environments.map((e) => e.name);
  const known = environments.map((e) => e.name);
  for (const name of envNames) {
    if (!known.includes(name)) throw new UsageError(`unknown environment "${name}"; known: ${known.join(', ')}`);
  }
  const cluster = values.cluster === undefined ? {} : { cluster: clusterOf(values.env, values.cluster) };
  const policy = values.policy === undefined ? {} : { policy: readPolicyFile(values.policy, platform), policySource: values.policy };
  const out = output(values.json);
  const written: { environment: string; cluster: string; dir: string; files: number }[] = [];
  for (const environment of envNames) {
    const dir = resolve(values.env ? (values.out ?? join('dist/monitoring', cluster.cluster ?? environment)) : join(values.out ?? 'dist/monitoring', environment));
    out.progress(`generating ${environment}${cluster.cluster ? ` on ${cluster.cluster}` : ''} (${format}) into ${dir}`);
    const generated = generateMonitoring({ platform, environment, format, ...policy, ...cluster });
    await writeFilesAtomically(dir, generated.files);
    written.push({ environment, cluster: generated.model.cluster.name, dir, files: Object.keys(generated.files).length });
  }
  out.result({ format, written }, written.map((w) => `${w.environment}${cluster.cluster ? ` on ${w.cluster}` : ''}: ${w.files} files in ${w.dir}`).join('\n'));
  return 0;
}

/** The name of cluster `name` of environment `env`, checked here so a typo is a usage error, not a crash. */
function clusterOf(env: string | undefined, name: string): string {
  if (env === undefined) throw new UsageError('--cluster needs --env: a cluster belongs to one environment');
  const clusters = environments.find((e) => e.name === env)?.clusters.map((c) => c.name) ?? [];
  if (!clusters.includes(name)) throw new UsageError(`unknown cluster "${name}" of ${env}; its clusters: ${clusters.join(', ')}`);
  return name;
}

/** A directory of one environment has prometheus/ or operator/; otherwise each subdirectory is one. */
function environmentDirs(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError(`${dir} does not exist; run "cios-monitoring generate" first`);
  const isEnvDir = (d: string) => existsSync(join(d, 'prometheus')) || existsSync(join(d, 'operator'));
  if (isEnvDir(dir)) return [dir];
  const subdirs = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && isEnvDir(join(dir, e.name)))
    .map((e) => join(dir, e.name))
    .sort();
  if (subdirs.length === 0) throw new UsageError(`${dir} holds no generated monitoring config`);
  return subdirs;
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dir: { type: 'string' }, 'skip-tests': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length > 1) throw new UsageError('validate takes at most one directory');
  const out = output(values.json);
  const dirs = environmentDirs(resolve(values.dir ?? positionals[0] ?? 'dist/monitoring'));
  const reports = [];
  for (const dir of dirs) {
    const report = await validateDirectory(dir, { onStep: (step) => out.progress(`${dir}: ${step}`), skipTests: values['skip-tests'] });
    reports.push({ dir, ...report });
  }
  const ok = reports.every((r) => r.ok);
  const text = reports
    .flatMap((r) => [
      `${r.ok ? 'OK  ' : 'FAIL'} ${r.dir}`,
      ...r.checks.map((c) =>
        c.skipped ? `  - ${c.name}: skipped, ${c.skipped}` : `  ${c.ok ? '✓' : '✗'} ${c.name}${c.ok ? '' : `\n${indent(c.output)}`}`,
      ),
    ])
    .join('\n');
  out.result({ ok, reports }, text);
  return ok ? 0 : 1;
}

function indent(text: string): string {
  return text
    .trim()
    .split('\n')
    .slice(0, 40)
    .map((l) => `      ${l}`)
    .join('\n');
}

/** Runs one cios-monitoring command; resolves to the exit code. Usage errors throw UsageError. */
export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'generate') return generate(rest);
  if (command === 'validate') return validate(rest);
  throw new UsageError(`unknown command "${command}"`);
}
