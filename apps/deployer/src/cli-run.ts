import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Environment, Platform, SpecError } from '@cios/platform-spec';
import { formatNumber } from './analysis.js';
import { Deployer, type DeployReport, type PlanReport } from './deployer.js';
import { Refusal } from './errors.js';
import { parseTestReport, type TestReport } from './gates.js';
import { KbInvalidError, KbStore } from './kb-store.js';
import { type KbDeployment, recordedLockOf, rollbackPhaseOf } from './kb-view.js';
import { createProgress } from './progress.js';
import { Redactor } from './redact.js';
import { InputError, readSpecFile } from './release-input.js';
import { PolicyRefusal, type Renderer, formatFindingLine, withStacksDir } from './render.js';
import { findExecutable, formatPlanSummary } from './terraform.js';

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

const COMMON = {
  env: { type: 'string' },
  kb: { type: 'string' },
  'state-dir': { type: 'string' },
  'prometheus-url': { type: 'string' },
  'terraform-bin': { type: 'string' },
  'stacks-dir': { type: 'string' },
  platform: { type: 'string' },
  actor: { type: 'string' },
  'lease-seconds': { type: 'string' },
  'keep-releases': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const RELEASE = {
  release: { type: 'string' },
  set: { type: 'string', multiple: true },
  task: { type: 'string' },
  'test-report': { type: 'string' },
  'first-deploy': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const COMMANDS = {
  plan: { options: { ...COMMON, ...RELEASE, 'render-only': { type: 'boolean' } }, usage: 'plan --env E [--release FILE | --set service=tag …] [--task ID] [--render-only]' },
  apply: {
    options: { ...COMMON, ...RELEASE, analysis: { type: 'string' }, rollback: { type: 'boolean' } },
    usage: 'apply --env E [--release FILE | --set service=tag …] [--task ID] [--test-report FILE] [--first-deploy] [--analysis enforce|shadow] [--rollback]',
  },
  rollback: { options: { ...COMMON, to: { type: 'string' }, reason: { type: 'string' } }, usage: 'rollback --env E [--to RELEASE] [--reason TEXT]' },
  abort: { options: { ...COMMON, reason: { type: 'string' } }, usage: 'abort --env E [--reason TEXT]' },
  status: { options: COMMON, usage: 'status --env E [--json]' },
  history: { options: COMMON, usage: 'history --env E [--json]' },
  unlock: { options: { ...COMMON, force: { type: 'boolean' }, reason: { type: 'string' } }, usage: 'unlock --env E --force --reason TEXT' },
} as const;

type Command = keyof typeof COMMANDS;

const HELP = `cios-deploy: gated, logged, watched deploys with a rollback plan

Usage: cios-deploy <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

Options for every command:
  --env E                environment name from the catalog (dev, staging, prod)
  --kb FILE              knowledge base (default: CIOS_KB or the nearest .ai-knowledge-base.json)
  --state-dir DIR        artifacts, work dirs, Terraform state, locks (default .cios)
  --prometheus-url URL   Prometheus for analysis (default: the environment's prometheusUrl)
  --terraform-bin PATH   terraform or tofu executable (default: terraform on PATH)
  --stacks-dir DIR       apply pre-made <stack>/cdk.tf.json instead of synthesizing with @cios/infra
  --platform FILE        a platform spec (JSON) instead of @cios/catalog
  --actor NAME           who deploys (default: CIOS_AGENT or "DevOps Agent")
  --lease-seconds N      environment lock lease (default 120)
  --keep-releases N      release artifacts kept per environment (default 10)
  --json                 machine-readable output on stdout; progress as plain lines on stderr
  -h, --help             this help

Exit codes: 0 done, 1 refused / invalid input / failed check, 2 usage error, 3 lock not obtained or deploy in progress.
`;

class UsageError extends Error {}

function intOption(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${value}"`);
  return n;
}

async function loadPlatform(file: string | undefined): Promise<Platform> {
  if (file) return readSpecFile(Platform, file);
  const catalog = await import('@cios/catalog');
  return catalog.platform;
}

function findEnvironment(platform: Platform, name: string): Environment {
  const env = platform.environments.find((e) => e.name === name);
  if (!env) throw new InputError(`unknown environment "${name}" (known: ${platform.environments.map((e) => e.name).join(', ')})`);
  return env;
}

async function defaultRenderer(): Promise<Renderer> {
  const { platformRenderer } = await import('./render-platform.js');
  return platformRenderer;
}

export interface CliDeps {
  /** Replaces @cios/infra + @cios/monitoring rendering (tests; the CLI never sets it). */
  readonly renderer?: Renderer;
}

export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(HELP);
    return first === undefined ? 2 : 0;
  }
  if (!(first in COMMANDS)) {
    io.stderr.write(`cios-deploy: unknown command "${first}"\n\n${HELP}`);
    return 2;
  }
  const command = first as Command;
  const spec = COMMANDS[command];
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({ args: [...rest], options: spec.options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    return reportError(new UsageError((error as Error).message), command, io, new Redactor(), rest.includes('--json'));
  }
  if (values['help']) {
    io.stdout.write(`Usage: cios-deploy ${spec.usage}\n\n${HELP}`);
    return 0;
  }
  const json = Boolean(values['json']);
  const redactor = new Redactor().addFromUrl(values['prometheus-url'] as string | undefined).add(io.env['CIOS_PROMETHEUS_TOKEN']);
  const progress = createProgress(io.stderr, { json, redact: (s) => redactor.redact(s) });
  const out = (text: string): void => {
    io.stdout.write(redactor.redact(text));
  };
  try {
    const envName = values['env'] as string | undefined;
    if (!envName) throw new UsageError('--env is required');
    const platform = await loadPlatform(values['platform'] as string | undefined);
    const env = findEnvironment(platform, envName);
    const actor = (values['actor'] as string | undefined) ?? io.env['CIOS_AGENT'] ?? 'DevOps Agent';
    const kb = (() => {
      try {
        return new KbStore(values['kb'] as string | undefined, actor);
      } catch (error) {
        throw new Refusal((error as Error).message, 1);
      }
    })();
    const tfBin = (values['terraform-bin'] as string | undefined) ?? 'terraform';
    const terraformBin = findExecutable(tfBin);
    if (values['terraform-bin'] && !terraformBin) throw new InputError(`--terraform-bin ${tfBin}: not an executable file`);
    const base = deps.renderer ?? (await (command === 'plan' || command === 'apply' ? defaultRenderer() : Promise.resolve(undefined)));
    const stacksDir = values['stacks-dir'] as string | undefined;
    const renderer: Renderer | undefined = base && stacksDir ? withStacksDir(stacksDir, base) : base;
    // A lease of 0 would expire as it is taken: every other deploy could take the lock over at once.
    const leaseSeconds = intOption(values['lease-seconds'] as string | undefined, 'lease-seconds', 1);
    const keep = intOption(values['keep-releases'] as string | undefined, 'keep-releases');
    const deployer = new Deployer({
      platform,
      env,
      stateDir: path.resolve((values['state-dir'] as string | undefined) ?? '.cios'),
      kb,
      renderer: renderer ?? { stacks: () => Promise.reject(new Error('no renderer')), monitoring: () => Promise.reject(new Error('no renderer')) },
      terraformBin,
      ...(values['prometheus-url'] ? { prometheusUrl: values['prometheus-url'] as string } : {}),
      actor,
      progress,
      redactor,
      ...(leaseSeconds !== undefined ? { leaseMs: leaseSeconds * 1000 } : {}),
      ...(keep !== undefined ? { keepReleases: keep } : {}),
    });
    const testReport = readTestReport(values['test-report'] as string | undefined);
    const source = {
      ...(values['release'] ? { file: values['release'] as string } : {}),
      sets: (values['set'] as string[] | undefined) ?? [],
    };
    switch (command) {
      case 'plan': {
        const report = await deployer.plan(source, {
          ...(values['task'] ? { taskId: values['task'] as string } : {}),
          ...(testReport ? { testReport } : {}),
          firstDeploy: Boolean(values['first-deploy']),
          renderOnly: Boolean(values['render-only']),
        });
        out(json ? `${JSON.stringify(report, null, 2)}\n` : formatPlan(report));
        return 0;
      }
      case 'apply': {
        const mode = (values['analysis'] as string | undefined) ?? 'enforce';
        if (mode !== 'enforce' && mode !== 'shadow') throw new UsageError(`--analysis must be "enforce" or "shadow", got "${mode}"`);
        const report = await deployer.apply({
          ...source,
          ...(values['task'] ? { taskId: values['task'] as string } : {}),
          ...(testReport ? { testReport } : {}),
          firstDeploy: Boolean(values['first-deploy']),
          analysis: mode,
          rollbackInterrupted: Boolean(values['rollback']),
        });
        out(json ? `${JSON.stringify(report, null, 2)}\n` : formatDeploy(report));
        return report.status === 'succeeded' || (report.rollbackRequested && report.status === 'rolled_back') ? 0 : 1;
      }
      case 'rollback': {
        const report = await deployer.rollback(values['to'] as string | undefined, (values['reason'] as string | undefined) ?? 'manual rollback');
        out(json ? `${JSON.stringify(report, null, 2)}\n` : formatDeploy(report));
        return 0;
      }
      case 'abort': {
        const result = await deployer.abort((values['reason'] as string | undefined) ?? 'aborted by operator');
        out(json ? `${JSON.stringify(result, null, 2)}\n` : isDeployReport(result) ? formatDeploy(result) : `${result.id}: ${result.status}${result.notes ? ` (${result.notes})` : ''}\n`);
        return 0;
      }
      case 'status': {
        const s = deployer.status();
        // Unset is null, not an absent key: a script can tell "free" from a field it does not know.
        const nulls = { lock: s.lock ?? null, lockStale: s.lockStale ?? null, inProgress: s.inProgress ?? null, current: s.current ?? null, recent: s.recent };
        out(json ? `${JSON.stringify(nulls, null, 2)}\n` : formatStatus(env.name, s));
        return 0;
      }
      case 'history': {
        const h = deployer.history();
        out(json ? `${JSON.stringify(h, null, 2)}\n` : formatHistory(env.name, h));
        return 0;
      }
      case 'unlock': {
        if (!values['force']) throw new UsageError('unlock needs --force: it removes a lock another deploy may hold');
        const reason = values['reason'] as string | undefined;
        if (!reason) throw new UsageError('unlock needs --reason: it is recorded in the KB');
        const removed = await deployer.unlock(reason);
        out(json ? `${JSON.stringify({ removed: removed ?? null }, null, 2)}\n` : removed ? `removed the lock of ${removed.owner} (deployment ${removed.deploymentId}); recorded in the KB\n` : `no lock was held on ${env.name}; recorded in the KB\n`);
        return 0;
      }
    }
  } catch (error) {
    return reportError(error, command, io, redactor, json);
  }
}

function isDeployReport(x: DeployReport | KbDeployment): x is DeployReport {
  return 'deploymentId' in x;
}

function readTestReport(file: string | undefined): TestReport | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`--test-report ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return parseTestReport(text, file);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

/** The sentence on stderr; with --json also `{"ok":false,"error","exitCode"}` on stdout, so a script reading stdout sees why. */
function reportError(error: unknown, command: string, io: CliIo, redactor: Redactor, json: boolean): number {
  const { message, exitCode } = describeError(error, command);
  io.stderr.write(`cios-deploy ${command}: ${redactor.redact(message)}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: redactor.redact(message), exitCode }, null, 2)}\n`);
  if (!isExpected(error) && io.env['CIOS_DEBUG'] && error instanceof Error && error.stack) io.stderr.write(`${redactor.redact(error.stack)}\n`);
  return exitCode;
}

function isExpected(error: unknown): boolean {
  return error instanceof UsageError || error instanceof Refusal || error instanceof InputError || error instanceof PolicyRefusal || error instanceof KbInvalidError || error instanceof SpecError;
}

function describeError(error: unknown, command: string): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: `${error.message}\nUsage: cios-deploy ${COMMANDS[command as Command].usage}`, exitCode: 2 };
  if (error instanceof Refusal) return { message: error.message, exitCode: error.exitCode };
  if (isExpected(error)) return { message: (error as Error).message, exitCode: 1 };
  return { message: `failed: ${error instanceof Error ? error.message : String(error)}`, exitCode: 1 };
}

/** Paths inside the working directory print relative (stable across machines), others absolute. */
function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

function formatPlan(r: PlanReport): string {
  const lines: string[] = [];
  lines.push(`Plan for ${r.environment}: release ${r.releaseId} (commit ${r.commit.slice(0, 12)})`);
  lines.push(`  release hash ${r.releaseHash}`);
  lines.push(`  plan hash    ${r.planHash}`);
  lines.push(`    files      ${r.filesHash}`);
  lines.push(`    changes    ${r.changesDigest ?? 'none: Terraform did not plan'}`);
  lines.push(`  approval     binds the ${r.approvalBinding}`);
  lines.push(`  artifact     ${display(r.artifactDir)}`);
  lines.push(`  stacks       ${r.stacks.join(', ')}; ${r.monitoringFiles} monitoring files`);
  if (r.destroys.length > 0) lines.push(`  destroys     ${r.destroys.join(', ')} (running in ${r.environment}, not in this release)`);
  lines.push('', `Services (against ${r.running ? `release ${r.running}, the last successful in ${r.environment}` : 'nothing: no successful release yet'}):`);
  const diffLine = (s: PlanReport['services'][number]) =>
    `  ${s.change.padEnd(9)} ${s.service}${s.change === 'changed' ? `: ${s.from} → ${s.to}` : s.to ? `: ${s.to}` : s.from ? `: ${s.from}` : ''}`;
  for (const s of r.services.filter((x) => !x.support)) lines.push(diffLine(s));
  const support = r.services.filter((x) => x.support);
  if (support.length > 0) {
    lines.push('', 'Support images (backup jobs; a release entry overrides the catalog\'s tag):');
    for (const s of support) lines.push(diffLine(s));
  }
  if (r.notes.length > 0) {
    lines.push('', 'Left unreleased:');
    for (const n of r.notes) lines.push(`  - ${n}`);
  }
  if (r.findings.length > 0) {
    lines.push('', 'Policy findings:');
    for (const f of r.findings) lines.push(`  ${formatFindingLine(f)}`);
  }
  lines.push('', 'Gates:');
  for (const g of r.gates) lines.push(`  ${g.status.padEnd(7)} ${g.name}: ${g.details ?? ''}`);
  lines.push('', `Rollback target: ${r.rollbackTarget ?? 'none (a first deploy needs --first-deploy)'}`);
  lines.push(
    `Analysis: every ${r.analysis.intervalSeconds}s for ${r.analysis.bakeSeconds}s, ${r.analysis.failuresAllowed} failing round(s) tolerated; per check (environment analysis.checks):`,
  );
  lines.push(...formatCheckPolicy(r.analysis));
  lines.push(`Worst case from a breach to rollback: ${r.worstCaseRollbackSeconds}s (interval × (failures allowed + 1) + apply estimate)`);
  if (r.checks.length > 0) lines.push('Checks of the watched services:');
  const byService = new Map<string, string[]>();
  for (const c of r.checks) {
    const [kind, service = '', slo] = c.name.split(':');
    const list = byService.get(service) ?? [];
    list.push(`${kind}${slo ? `(${slo})` : ''} ${c.comparator === 'max' ? '≤' : '≥'} ${formatNumber(c.threshold)}`);
    byService.set(service, list);
  }
  for (const [service, list] of byService) lines.push(`  ${service}: ${list.join(', ')}`);
  lines.push('', 'Terraform:');
  if (r.terraform.ran) for (const s of r.terraform.stacks) lines.push(`  ${s.stack}${s.action === 'destroy' ? ' (destroyed: not in this release)' : ''}: ${formatPlanSummary(s.summary)}`);
  if (r.skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const s of r.skipped) lines.push(`  - ${s}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line per check kind: threshold, request guard and what no data / too little traffic means. */
function formatCheckPolicy(a: PlanReport['analysis']): string[] {
  const c = a.checks;
  const guard = (x: { onNoData: string; onLowTraffic: string; minRequests?: number | undefined }, inherited: number): string => {
    const min = x.minRequests ?? inherited;
    return `no data → ${x.onNoData}${min > 0 ? `, fewer than ${min} requests → ${x.onLowTraffic}` : ', no request guard'}`;
  };
  return [
    `  availability: targets up ≥ ${formatNumber(c.availability.threshold)}; ${guard(c.availability, c.availability.minRequests)}`,
    `  error_ratio:  ≤ ${c.error_ratio.threshold === undefined ? "each service's availability-SLO error budget" : formatNumber(c.error_ratio.threshold)}; ${guard(c.error_ratio, a.minRequests)}`,
    `  burn_rate:    ≤ ${formatNumber(c.burn_rate.threshold)} per SLO; ${guard(c.burn_rate, a.minRequests)}`,
  ];
}

function formatDeploy(r: DeployReport): string {
  const lines = [`${r.deploymentId}: ${r.status} (release ${r.releaseId} in ${r.environment})`];
  if (r.reason) lines.push(`  ${r.reason}`);
  if (r.rolledBackTo) lines.push(`  now running ${r.rolledBackTo}`);
  if (r.analysis) lines.push(`  analysis ${r.analysis.verdict} after ${r.analysis.state.rounds} round(s)`);
  lines.push(`  evidence ${display(r.evidenceFile)}`);
  lines.push(`  timings ${Object.entries(r.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function formatStatus(env: string, s: ReturnType<Deployer['status']>): string {
  const lines = [`${env}:`];
  lines.push(`  running    ${s.current ? `release ${s.current.release_id} (deployment ${s.current.id}, ${s.current.finished_at ?? s.current.started_at})` : 'nothing deployed by cios-deploy yet'}`);
  lines.push(`  in progress ${s.inProgress ? `${s.inProgress.id} (release ${s.inProgress.release_id}, since ${s.inProgress.started_at})` : 'none'}`);
  lines.push(
    `  lock       ${
      !s.lock
        ? 'free'
        : s.lock.malformed !== undefined
          ? `malformed, held by nobody; the next deploy takes it over (${s.lock.malformed})`
          : `${s.lock.owner}, deployment ${s.lock.deploymentId}, pid ${s.lock.pid} on ${s.lock.host}, lease until ${s.lock.leaseExpiresAt}${s.lockStale ? ` (stale: ${s.lockStale})` : ''}`
    }`,
  );
  const elsewhere = s.inProgress && !s.lock ? recordedLockOf(s.inProgress) : undefined;
  if (elsewhere) lines.push(`  kb lock    ${elsewhere.owner}, pid ${elsewhere.pid} on ${elsewhere.host}, lease until ${elsewhere.lease_expires_at} (recorded in the KB; no lock file on this machine)`);
  const phase = s.inProgress ? rollbackPhaseOf(s.inProgress) : undefined;
  if (phase) lines.push(`  rolling back to ${phase.to} since ${phase.at}: ${phase.reason}`);
  if (s.inProgress && (s.lockStale !== undefined || !s.lock)) {
    lines.push(
      phase
        ? `  → the deployer of ${s.inProgress.id} is gone mid-rollback: run \`cios-deploy apply --env ${env}\` to finish the rollback to ${phase.to}`
        : `  → the deployer of ${s.inProgress.id} is gone: run \`cios-deploy apply --env ${env}\` to resume or add --rollback to roll it back`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function formatHistory(env: string, h: ReturnType<Deployer['history']>): string {
  if (h.length === 0) return `no deployments recorded in ${env}\n`;
  const lines: string[] = [];
  for (const { deployment: d, evidence, evidenceMissing } of h) {
    lines.push(`${d.started_at}  ${d.id}  ${d.status.padEnd(11)} release ${d.release_id}${d.rollback_ref ? ` (rollback ${d.rollback_ref})` : ''} by ${d.deployed_by}`);
    if (d.notes) lines.push(`    ${d.notes}`);
    if (evidenceMissing) lines.push(`    warning: ${evidenceMissing}`);
    for (const e of evidence) {
      if (e.type === 'check' && e.verdict !== 'pass') lines.push(`    round ${e.round} ${e.check}: ${e.verdict}: ${e.reason}`);
      if (e.type === 'event') lines.push(`    ${e.at} ${e.event}${e.details ? `: ${e.details}` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
