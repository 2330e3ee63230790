import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment, Platform, Release } from '@cios/platform-spec';

/** What the deployer shows of an @cios/infra policy finding. */
export interface PolicyFindingView {
  readonly severity: string;
  readonly message: string;
  readonly ruleId?: string;
  readonly resource?: string;
  readonly fix?: string;
  /** Where in the synthesized stacks (stack and resource address): prod's standby stack repeats the primary's resources. */
  readonly address?: string;
}

export interface RenderOutput {
  /** Stack name → Terraform JSON, in apply order. */
  readonly stacks: Record<string, string>;
  readonly monitoring: Record<string, string>;
  readonly findings: readonly PolicyFindingView[];
}

export interface RenderInput {
  readonly platform: Platform;
  readonly env: Environment;
  readonly release: Release;
}

/** Turns a release into files: stacks (normally @cios/infra) and monitoring (normally @cios/monitoring). */
export interface Renderer {
  stacks(input: RenderInput): Promise<{ stacks: Record<string, string>; findings: readonly PolicyFindingView[] }>;
  monitoring(input: RenderInput): Promise<Record<string, string>>;
}

export async function render(renderer: Renderer, input: RenderInput): Promise<RenderOutput> {
  const [s, monitoring] = await Promise.all([renderer.stacks(input), renderer.monitoring(input)]);
  return { stacks: s.stacks, findings: s.findings, monitoring };
}

/** A release's policy errors: the deploy cannot go on, and the findings say why. */
export class PolicyRefusal extends Error {
  constructor(readonly findings: readonly PolicyFindingView[]) {
    super(`policy check failed:\n${findings.map((f) => `  - ${formatFindingLine(f)}`).join('\n')}`);
    this.name = 'PolicyRefusal';
  }
}

export function formatFindingLine(f: PolicyFindingView): string {
  const id = f.ruleId ? ` ${f.ruleId}` : '';
  const where = f.resource ? ` ${f.resource}` : '';
  const fix = f.fix ? ` (fix: ${f.fix})` : '';
  const at = f.address ? ` [at ${f.address}]` : '';
  return `${f.severity}${id}${where}: ${f.message}${fix}${at}`;
}

/** Reads `<dir>/<stack>/cdk.tf.json` (or `<dir>/stacks/<stack>/cdk.tf.json`), stacks sorted by name. */
export function readStacksDir(dir: string): Record<string, string> {
  const base = fs.existsSync(path.join(dir, 'stacks')) ? path.join(dir, 'stacks') : dir;
  let names: string[];
  try {
    names = fs
      .readdirSync(base, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(base, d.name, 'cdk.tf.json')))
      .map((d) => d.name)
      .sort();
  } catch {
    throw new Error(`--stacks-dir ${dir}: not a readable directory`);
  }
  if (names.length === 0) throw new Error(`--stacks-dir ${dir}: no <stack>/cdk.tf.json inside`);
  const out: Record<string, string> = {};
  for (const n of names) {
    const text = fs.readFileSync(path.join(base, n, 'cdk.tf.json'), 'utf8');
    try {
      JSON.parse(text);
    } catch (error) {
      throw new Error(`${path.join(base, n, 'cdk.tf.json')}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    out[n] = text;
  }
  return out;
}

/** Pre-made stacks instead of synthesis (tests, or stacks built elsewhere); monitoring still comes from `base`. */
export function withStacksDir(dir: string, base: Renderer): Renderer {
  return { stacks: async () => ({ stacks: readStacksDir(dir), findings: [] }), monitoring: (input) => base.monitoring(input) };
}

/**
 * The kubeconfig contexts of these stack configs' `kubernetes` state backends, sorted: `terraform init` reads the
 * state from the cluster, so without the context even init fails, before any provider is involved.
 */
export function stateBackendContexts(configs: readonly string[]): string[] {
  const contexts = new Set<string>();
  for (const json of configs) {
    const backend = (JSON.parse(json) as { terraform?: { backend?: { kubernetes?: { config_context?: unknown } } } }).terraform?.backend?.kubernetes;
    if (typeof backend?.config_context === 'string') contexts.add(backend.config_context);
  }
  return [...contexts].sort();
}

/** True when any of these stack configs talks to a Kubernetes cluster (and so needs a kubeconfig context). */
export function needsCluster(configs: readonly string[]): boolean {
  return configs.some((json) => {
    const provider = (JSON.parse(json) as { provider?: Record<string, unknown> }).provider ?? {};
    return 'kubernetes' in provider || 'helm' in provider || 'kubectl' in provider;
  });
}
