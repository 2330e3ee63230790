import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, type CliDeps } from '../../src/cli-run.js';

export const SERVICE = 'web';
export const NAMESPACE = 'itest-core';

export interface EnvTiming {
  readonly intervalSeconds: number;
  readonly bakeSeconds: number;
  readonly failuresAllowed: number;
  readonly minRequests: number;
  /** The environment's `analysis.checks` (thresholds, no-data and low-traffic policy per check kind). */
  readonly checks?: Record<string, unknown>;
}

/**
 * For tests about gates and records, not analysis: a reachable Prometheus that scrapes nothing and
 * availability waiting on no data, so every bake is inconclusive and never decides an outcome.
 */
export const IDLE_CHECKS = { availability: { onNoData: 'wait' } } as const;

export function platformJson(timing: EnvTiming): unknown {
  // The approval-gated environment is kind staging: the approval gate follows requiresApproval, and a
  // prod kind must keep its Terraform state in a remote backend, which a test machine has none of.
  const env = (name: string, gated: boolean) => ({
    name,
    kind: gated ? 'staging' : 'dev',
    clusters: [{ name: `${name}-local`, context: `cios-${name}`, region: 'canadacentral' }],
    namespaces: { core: NAMESPACE },
    requiresApproval: gated,
    backend: { type: 'local', path: 'terraform.tfstate' },
    prometheusUrl: 'http://127.0.0.1:1',
    analysis: timing,
  });
  return {
    services: [
      {
        name: SERVICE,
        tier: 'core',
        image: 'ghcr.io/cios/web',
        port: 8080,
        replicas: { itest: 1, 'itest-prod': 2 },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        health: { liveness: '/healthz', readiness: '/readyz' },
        dataClassification: 'internal',
        slos: [{ name: 'availability', sli: 'availability', objective: 99 }],
      },
    ],
    environments: [env('itest', false), env('itest-prod', true)],
  };
}

export interface Resource {
  /** Shell command run by local-exec on create. */
  readonly run: string;
  /** Shell command run when Terraform destroys it. */
  readonly onDestroy?: string;
  readonly input?: string;
}

/** Terraform JSON made of terraform_data + local-exec only: no provider download needed. */
export function stackJson(resources: Record<string, Resource>, extra: Record<string, unknown> = {}): string {
  const data = Object.fromEntries(
    Object.entries(resources).map(([name, r]) => [
      name,
      {
        input: r.input ?? r.run,
        triggers_replace: r.input ?? r.run,
        provisioner: [{ 'local-exec': { command: r.run } }, ...(r.onDestroy ? [{ 'local-exec': { when: 'destroy', command: r.onDestroy } }] : [])],
      },
    ]),
  );
  return `${JSON.stringify({ ...extra, resource: { terraform_data: data } }, null, 2)}\n`;
}

export class Fixture {
  readonly root: string;
  readonly kb: string;
  readonly stateDir: string;
  readonly markers: string;
  readonly platformFile: string;
  private n = 0;

  constructor(timing: EnvTiming) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-deploy-'));
    this.kb = path.join(this.root, '.ai-knowledge-base.json');
    this.stateDir = path.join(this.root, '.cios');
    this.markers = path.join(this.root, 'markers');
    fs.mkdirSync(this.markers);
    this.platformFile = path.join(this.root, 'platform.json');
    fs.writeFileSync(this.platformFile, JSON.stringify(platformJson(timing), null, 2));
  }

  /** Changes the analysis timing for the runs that follow. */
  setTiming(timing: EnvTiming): void {
    fs.writeFileSync(this.platformFile, JSON.stringify(platformJson(timing), null, 2));
  }

  writeKb(kb: unknown): void {
    fs.writeFileSync(this.kb, `${JSON.stringify(kb, null, 2)}\n`);
  }

  readKb(): KbShape {
    return JSON.parse(fs.readFileSync(this.kb, 'utf8')) as KbShape;
  }

  /** A stacks dir: stack name → resources. */
  stacks(stacks: Record<string, Record<string, Resource>>, extra: Record<string, unknown> = {}): string {
    const dir = path.join(this.root, `stacks-${++this.n}`);
    for (const [name, resources] of Object.entries(stacks)) {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, name, 'cdk.tf.json'), stackJson(resources, extra));
    }
    return dir;
  }

  /** A web resource that writes its version into the marker file: what is deployed, readable. */
  web(version: string): Resource {
    return { run: `echo ${version} > ${this.marker('web')}`, input: version };
  }

  marker(name: string): string {
    return path.join(this.markers, name);
  }

  deployed(name = 'web'): string | undefined {
    try {
      return fs.readFileSync(this.marker(name), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** Resource addresses in a stack's Terraform state (the local backend path the deployer sets). */
  stateResources(stack: string, env = 'itest'): string[] {
    const file = path.join(this.stateDir, 'state', env, stack, 'terraform.tfstate');
    if (!fs.existsSync(file)) return [];
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { resources?: { type: string; name: string }[] };
    return (state.resources ?? []).map((r) => `${r.type}.${r.name}`).sort();
  }

  release(tag: string, commit: string, env = 'itest', createdBy = 'Release Agent'): string {
    const file = path.join(this.root, `release-${tag}-${env}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ environment: env, commit, createdBy, createdAt: '2026-01-01T00:00:00Z', images: { [SERVICE]: `ghcr.io/cios/web:${tag}` } }, null, 2),
    );
    return file;
  }

  args(env = 'itest'): string[] {
    return ['--env', env, '--kb', this.kb, '--state-dir', this.stateDir, '--platform', this.platformFile];
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface KbShape {
  revision?: number;
  deployments?: {
    id: string;
    status: string;
    release_id: string;
    rollback_ref?: string | null;
    notes?: string | null;
    evidence?: { check: string; query: string; value: number | null; threshold: number; verdict: string }[];
    evidence_ref?: string | null;
    gates?: { name: string; status: string; details?: string | null }[];
    analysis?: { verdict: string };
    timings?: Record<string, number>;
    [k: string]: unknown;
  }[];
  infrastructure_changes?: { what: string }[];
  metrics?: { last_deployment?: { id: string; status: string } | null };
  agent_coordination?: { coordination_log?: { event: string; details?: string }[]; active_assignments?: { id: string; status: string; progress?: number }[] };
  [k: string]: unknown;
}

export function baseKb(commits: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '1.0',
    agents: { 'DevOps Agent': { role: 'devops', status: 'active' } },
    agent_coordination: {
      active_assignments: [
        { id: 'TASK_DEPLOY_0', assigned_by: 'Product Manager/CTO Agent', assigned_to: 'DevOps Agent', task: 'Deploy web v1 to itest', status: 'assigned', priority: 'P1' },
        { id: 'TASK_DEPLOY_1', assigned_by: 'Product Manager/CTO Agent', assigned_to: 'DevOps Agent', task: 'Deploy web to itest', status: 'assigned', priority: 'P1' },
      ],
      coordination_log: [],
      agent_status: {},
    },
    test_results: {
      recent_runs: commits.map((commit) => ({ timestamp: '2026-01-01T00:00:00Z', tests_run: 42, passed: 42, failed: 0, skipped: 0, commit, source: 'ci' })),
    },
    ...extra,
  };
}

class Capture {
  text = '';
  isTTY = false;
  write(chunk: string | Uint8Array, cb?: () => void): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    cb?.();
    return true;
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process (same code path as bin/cios-deploy, minus process.exit). */
export async function cli(args: readonly string[], deps: CliDeps = {}, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(args, { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env }, deps);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
