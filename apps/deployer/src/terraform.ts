import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { byCodePoint } from '@cios/platform-spec';
import { plannedChangesDigest } from './plan-digest.js';

export interface TerraformOptions {
  /** The terraform (or tofu) executable. @default "terraform" from PATH */
  readonly bin?: string;
  /** How long to wait for the state lock another run holds. @default "60s": a crashed run's lock clears within it */
  readonly lockTimeout?: string;
  /** Extra environment for the child (e.g. TF_VAR_… references resolved by CI). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Each output line, for progress and logs (already without colour codes). */
  readonly onLine?: (line: string) => void;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Terraform command that failed; `reason` is a one-line summary fit for a person. */
export class TerraformError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
    readonly reason: string,
  ) {
    super(`terraform ${command} failed: ${reason}`);
    this.name = 'TerraformError';
  }
}

/** Providers that could not be installed because the registry is unreachable. */
export class ProviderUnavailableError extends TerraformError {
  constructor(
    result: RunResult,
    readonly providers: readonly string[],
  ) {
    super('init', result, `provider ${providers.join(', ')} not installable: offline`);
    this.name = 'ProviderUnavailableError';
  }
}

export interface ResourceChange {
  readonly address: string;
  readonly actions: readonly string[];
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly replace: number;
  readonly changes: readonly ResourceChange[];
}

export interface ShownPlan {
  readonly summary: PlanSummary;
  readonly changesDigest: string;
}

const NOISE = /^(There are some problems with the CLI configuration:|│|╷|╵|\s*$)/;

/** A thin driver: always non-interactive, no colour, no checkpoint calls, saved plans only. */
export class Terraform {
  readonly bin: string;
  private readonly lockTimeout: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly onLine: ((line: string) => void) | undefined;

  constructor(options: TerraformOptions = {}) {
    this.bin = options.bin ?? 'terraform';
    this.lockTimeout = options.lockTimeout ?? '60s';
    this.env = { ...(options.env ?? process.env), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
    this.onLine = options.onLine;
  }

  /** The version line, or undefined when the binary is not there. */
  async version(): Promise<string | undefined> {
    try {
      const r = await this.run(process.cwd(), ['version', '-json'], { quiet: true });
      if (r.code !== 0) return undefined;
      const parsed = JSON.parse(r.stdout) as { terraform_version?: string };
      return parsed.terraform_version;
    } catch {
      return undefined;
    }
  }

  async init(dir: string): Promise<void> {
    const r = await this.run(dir, ['init', '-input=false', '-no-color', '-reconfigure', `-lock-timeout=${this.lockTimeout}`]);
    if (r.code === 0) return;
    const offline = offlineProviders(r.stderr + r.stdout);
    if (offline.length > 0) throw new ProviderUnavailableError(r, offline);
    throw new TerraformError('init', r, firstError(r));
  }

  /** Writes a saved plan; resolves true when it holds changes. */
  async plan(dir: string, out: string, options: { destroy?: boolean } = {}): Promise<boolean> {
    const args = ['plan', '-input=false', '-no-color', `-lock-timeout=${this.lockTimeout}`, '-detailed-exitcode', `-out=${out}`];
    if (options.destroy) args.push('-destroy');
    const r = await this.run(dir, args);
    if (r.code === 0) return false;
    if (r.code === 2) return true;
    throw new TerraformError('plan', r, firstError(r));
  }

  /** The saved plan's summary and the digest of its intended changes (what an approval binds). */
  async show(dir: string, planFile: string): Promise<ShownPlan> {
    const r = await this.run(dir, ['show', '-json', '-no-color', planFile], { quiet: true });
    if (r.code !== 0) throw new TerraformError('show', r, firstError(r));
    const json = JSON.parse(r.stdout) as unknown;
    return { summary: summarizePlan(json), changesDigest: plannedChangesDigest(json) };
  }

  /** Applies exactly the saved plan: Terraform refuses it if the state moved since. */
  async apply(dir: string, planFile: string): Promise<void> {
    const r = await this.run(dir, ['apply', '-input=false', '-no-color', `-lock-timeout=${this.lockTimeout}`, planFile]);
    if (r.code !== 0) throw new TerraformError('apply', r, firstError(r));
  }

  private run(dir: string, args: readonly string[], options: { quiet?: boolean } = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, { cwd: dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let pending = '';
      const emit = (chunk: Buffer): void => {
        if (options.quiet || !this.onLine) return;
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (!NOISE.test(line)) this.onLine(line);
      };
      child.stdout.on('data', (c: Buffer) => {
        out.push(c);
        emit(c);
      });
      child.stderr.on('data', (c: Buffer) => {
        err.push(c);
        emit(c);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        reject(e.code === 'ENOENT' ? new Error(`terraform binary "${this.bin}" not found`) : e);
      });
      child.on('close', (code, signal) => {
        if (pending && !options.quiet && this.onLine && !NOISE.test(pending)) this.onLine(pending);
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
    });
  }
}

/** Provider addresses Terraform could not fetch because the registry was unreachable. */
export function offlineProviders(output: string): string[] {
  const unreachable = /could not connect to registry|no such host|dial tcp|network is unreachable|i\/o timeout|connection refused|Failed to query available provider packages/i;
  if (!unreachable.test(output)) return [];
  const found = new Set<string>();
  for (const m of output.matchAll(/provider\s+(?:registry\.terraform\.io\/)?([a-z0-9-]+\/[a-z0-9-]+)/gi)) {
    found.add(`registry.terraform.io/${(m[1] as string).toLowerCase()}`);
  }
  return found.size > 0 ? [...found].sort() : ['(unknown provider)'];
}

function firstError(r: RunResult): string {
  const text = `${r.stderr}\n${r.stdout}`;
  const lines = text.split('\n').map((l) => l.replace(/^[│╷╵]\s?/, '').trim());
  const at = lines.findIndex((l) => l.startsWith('Error:'));
  if (at >= 0) {
    const detail = lines.slice(at, at + 6).filter((l) => l !== '');
    return detail.join(' ').replace(/\s+/g, ' ').slice(0, 400);
  }
  return lines.filter((l) => l !== '' && !NOISE.test(l)).slice(-3).join(' ').slice(0, 400) || `exit code ${r.code}`;
}

interface PlanJson {
  resource_changes?: { address?: string; change?: { actions?: string[] } }[];
}

export function summarizePlan(json: unknown): PlanSummary {
  const changes: ResourceChange[] = [];
  let add = 0;
  let change = 0;
  let destroy = 0;
  let replace = 0;
  for (const rc of (json as PlanJson).resource_changes ?? []) {
    const actions = rc.change?.actions ?? [];
    if (actions.length === 1 && (actions[0] === 'no-op' || actions[0] === 'read')) continue;
    if (actions.includes('create') && actions.includes('delete')) replace++;
    else if (actions.includes('create')) add++;
    else if (actions.includes('delete')) destroy++;
    else if (actions.includes('update')) change++;
    changes.push({ address: rc.address ?? '?', actions });
  }
  changes.sort((a, b) => byCodePoint(a.address, b.address));
  return { add, change, destroy, replace, changes };
}

export function formatPlanSummary(s: PlanSummary): string {
  return `${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy`;
}

/** True when `bin` names an executable (absolute, relative or on PATH). */
export function findExecutable(bin: string, envPath = process.env['PATH'] ?? ''): string | undefined {
  const candidates = bin.includes('/') ? [path.resolve(bin)] : envPath.split(path.delimiter).filter(Boolean).map((d) => path.join(d, bin));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // keep looking
    }
  }
  return undefined;
}
