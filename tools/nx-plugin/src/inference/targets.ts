import type { TargetConfiguration } from '@nx/devkit';
import { imageTargets, type ToolLocation } from './image-targets.js';
import { DEFAULT_OPTIONS, MONITORING_BIN, STACKS_BIN, type CiosPluginOptions, type CiosTargetNames } from './markers.js';
import { stackTargets } from './stack-targets.js';

export type { ToolLocation } from './image-targets.js';

/** The part of a package.json the inference reads. */
export interface PackageFacts {
  readonly name?: string;
  readonly bin?: string | Readonly<Record<string, string>>;
}

/** One candidate project: its root (workspace-relative, POSIX) and what it holds. */
export interface ProjectFacts {
  readonly root: string;
  readonly packageJson: PackageFacts;
  readonly hasDockerfile: boolean;
}

/** A bin name → its workspace-relative script, e.g. `cios-synth` → `libs/infra/bin/cios-synth.js`. */
export function binsOf(root: string, pkg: PackageFacts): Record<string, string> {
  if (pkg.bin === undefined) return {};
  const entries =
    typeof pkg.bin === 'string'
      ? [[unscopedName(pkg.name ?? ''), pkg.bin] as const]
      : Object.entries(pkg.bin).filter((e): e is [string, string] => typeof e[1] === 'string');
  return Object.fromEntries(entries.filter(([name]) => name !== '').map(([name, file]) => [name, joinPosix(root, file)]));
}

/** Every target the CIOS plugin infers for one project; empty when nothing marks it. */
export function inferTargets(
  facts: ProjectFacts,
  imageCli: ToolLocation | undefined,
  options: CiosPluginOptions = {},
): Record<string, TargetConfiguration> {
  const { environments = [], ...renamed } = options;
  const names: Required<CiosTargetNames> = { ...DEFAULT_OPTIONS, ...renamed };
  const bins = binsOf(facts.root, facts.packageJson);
  const targets: Record<string, TargetConfiguration> = {};
  const synthBin = bins[STACKS_BIN];
  if (synthBin) Object.assign(targets, stackTargets({ bin: synthBin, environments }, names));
  const monitoringBin = bins[MONITORING_BIN];
  if (monitoringBin) Object.assign(targets, monitoringTargets(facts.root, monitoringBin, names));
  if (facts.hasDockerfile && imageCli) Object.assign(targets, imageTargets(facts.root, imageCli, names));
  return targets;
}

/** Monitoring files are a pure function of the catalog; validation is a pure check of those files. */
function monitoringTargets(root: string, bin: string, names: Required<CiosTargetNames>): Record<string, TargetConfiguration> {
  const out = `dist/monitoring`;
  return {
    [names.generateTargetName]: {
      command: `node ${bin} generate --out ${out}`,
      dependsOn: ['build', '^build'],
      cache: true,
      inputs: ['production', '^production'],
      outputs: [`{workspaceRoot}/${out}`],
      metadata: {
        description: `Generate Prometheus rules, Alertmanager config, Grafana dashboards and promtool tests into ${out}`,
        technologies: ['prometheus', 'grafana'],
      },
    },
    [names.validateTargetName]: {
      command: `node ${bin} validate --dir ${out}`,
      dependsOn: [names.generateTargetName],
      cache: true,
      inputs: ['production', '^production'],
      metadata: {
        description: `Check the generated files (${root}) with promtool and amtool: rule syntax, unit tests, Alertmanager config`,
        technologies: ['prometheus'],
      },
    },
  };
}

function unscopedName(name: string): string {
  return name.replace(/^@[^/]+\//, '');
}

function joinPosix(root: string, file: string): string {
  const clean = file.replace(/^\.\//, '');
  return root === '.' || root === '' ? clean : `${root}/${clean}`;
}
