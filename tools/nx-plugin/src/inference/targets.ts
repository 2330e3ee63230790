import type { TargetConfiguration } from '@nx/devkit';
import { DEFAULT_OPTIONS, IMAGE_BIN, MONITORING_BIN, STACKS_BIN, type CiosPluginOptions } from './markers.js';

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

/** Where the image CLI lives, so image targets can run it and depend on its build. */
export interface ToolLocation {
  readonly project: string;
  /** Workspace-relative path of the bin script, e.g. `apps/image-cli/bin/cios-image.js`. */
  readonly binPath: string;
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
  const names = { ...DEFAULT_OPTIONS, ...options };
  const bins = binsOf(facts.root, facts.packageJson);
  const targets: Record<string, TargetConfiguration> = {};
  const synthBin = bins[STACKS_BIN];
  if (synthBin) Object.assign(targets, stackTargets(synthBin, names));
  const monitoringBin = bins[MONITORING_BIN];
  if (monitoringBin) Object.assign(targets, monitoringTargets(facts.root, monitoringBin, names));
  if (facts.hasDockerfile && imageCli) Object.assign(targets, imageTargets(facts.root, imageCli, names));
  return targets;
}

/** Synthesized Terraform JSON of every environment: pure function of the sources, so cacheable. */
function stackTargets(bin: string, names: Required<CiosPluginOptions>): Record<string, TargetConfiguration> {
  return {
    [names.synthTargetName]: {
      command: `node ${bin} --all --preview --out dist/stacks`,
      dependsOn: ['build', '^build'],
      cache: true,
      inputs: ['production', '^production'],
      outputs: ['{workspaceRoot}/dist/stacks'],
      metadata: {
        description: 'Synthesize every environment to Terraform JSON (dist/stacks/<env>/<stack>/cdk.tf.json), checked against the policy',
        technologies: ['terraform'],
      },
    },
    // A plan reads live state, so it is never cached. It runs on a copy of the synthesized stacks:
    // terraform init writes .terraform/ and a lock file, which must not leak into synth's cached output.
    [names.planTargetName]: {
      command: [
        'set -e',
        'test -d dist/stacks/{args.environment} || { echo "no synthesized stacks for environment {args.environment} in dist/stacks (run the synth target)" >&2; exit 1; }',
        'rm -rf dist/plan/{args.environment} && mkdir -p dist/plan && cp -R dist/stacks/{args.environment} dist/plan/{args.environment}',
        'for stack in dist/plan/{args.environment}/*/; do echo "terraform plan $stack"; ' +
          'out=$(terraform -chdir="$stack" init -input=false -no-color 2>&1) || { echo "$out" >&2; echo "terraform init failed in $stack" >&2; exit 1; }; ' +
          'terraform -chdir="$stack" plan -input=false -lock=false -no-color; done',
      ].join('; '),
      options: { environment: 'dev', forwardAllArgs: false },
      dependsOn: [names.synthTargetName],
      cache: false,
      metadata: {
        description: 'terraform plan of every stack of one environment (--environment, default dev) against its live state',
        technologies: ['terraform'],
      },
    },
  };
}

/** Monitoring files are a pure function of the catalog; validation is a pure check of those files. */
function monitoringTargets(root: string, bin: string, names: Required<CiosPluginOptions>): Record<string, TargetConfiguration> {
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

/**
 * Image builds land in a container engine or a registry, not the workspace: nothing a cache could
 * restore, so neither target is cached. The image is named after the project folder, which is how
 * cios-image finds it (a catalog service's sourceDir, or apps/<name>). Extra flags (`--tag`,
 * `--registry`, `--insecure`) pass through to cios-image.
 */
function imageTargets(root: string, cli: ToolLocation, names: Required<CiosPluginOptions>): Record<string, TargetConfiguration> {
  const image = root.split('/').pop() as string;
  const cliBuild = { projects: [cli.project], target: 'build' };
  return {
    [names.imageTargetName]: {
      command: `node ${cli.binPath} build ${image}`,
      dependsOn: [cliBuild, '^build'],
      cache: false,
      metadata: { description: `Lint ${root}/Dockerfile and build the ${image} image (and its SBOM) with ${IMAGE_BIN}`, technologies: ['docker'] },
    },
    [names.imagePushTargetName]: {
      command: `node ${cli.binPath} push ${image}`,
      dependsOn: [names.imageTargetName, cliBuild],
      cache: false,
      metadata: { description: `Push the ${image} image (--registry, default $CIOS_REGISTRY else ghcr.io, as cios-image decides) and print its digest`, technologies: ['docker'] },
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
