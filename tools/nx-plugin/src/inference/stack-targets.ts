import type { TargetConfiguration } from '@nx/devkit';
import type { CiosTargetNames } from './markers.js';

/** What the synth and plan targets of a project shipping cios-synth need to know. */
export interface StackFacts {
  /** Workspace-relative path of the cios-synth bin script. */
  readonly bin: string;
  /** Environment names from nx.json (the plugin's `environments` option); empty means "not listed". */
  readonly environments: readonly string[];
}

// A DNS-1123 label, as the catalog requires of environment names: the name lands in shell commands and paths.
const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Synthesized Terraform JSON is a pure function of the sources, so each environment's synth is cached on its
 * own, with its own output folder: `nx run-many -t synth` runs every `synth-<env>` (through the `synth`
 * aggregate), and a cache hit restores just that environment's `dist/stacks/<env>`.
 */
export function stackTargets(facts: StackFacts, names: Required<CiosTargetNames>): Record<string, TargetConfiguration> {
  if (!Array.isArray(facts.environments)) {
    throw new Error('@cios/nx-plugin: option "environments" in nx.json must be a list of environment names, e.g. ["dev", "staging", "prod"]');
  }
  const environments = [...new Set(facts.environments)];
  const invalid = environments.filter((e) => typeof e !== 'string' || !ENVIRONMENT_NAME.test(e));
  if (invalid.length > 0) {
    throw new Error(
      `@cios/nx-plugin: option "environments" in nx.json holds ${invalid.map((e) => JSON.stringify(e)).join(', ')}, not environment names (DNS-1123 labels such as "dev")`,
    );
  }
  if (environments.length === 0) return allEnvironmentTargets(facts.bin, names);
  const targets: Record<string, TargetConfiguration> = {};
  for (const env of environments) {
    targets[`${names.synthTargetName}-${env}`] = synthTarget(facts.bin, env);
    targets[`${names.planTargetName}-${env}`] = planTarget(env, `${names.synthTargetName}-${env}`, `terraform plan of every stack of ${env} against its live state`);
  }
  targets[names.synthTargetName] = {
    executor: 'nx:noop',
    dependsOn: environments.map((env) => `${names.synthTargetName}-${env}`),
    metadata: {
      description: `Synthesize every environment (${environments.join(', ')}): runs each cached ${names.synthTargetName}-<env>`,
      technologies: ['terraform'],
    },
  };
  return targets;
}

function synthTarget(bin: string, env: string): TargetConfiguration {
  return {
    command: `node ${bin} --env ${env} --preview --out dist/stacks/${env}`,
    dependsOn: ['build', '^build'],
    cache: true,
    inputs: ['production', '^production'],
    outputs: [`{workspaceRoot}/dist/stacks/${env}`],
    metadata: {
      description: `Synthesize ${env} to Terraform JSON (dist/stacks/${env}/<stack>/cdk.tf.json), checked against the policy`,
      technologies: ['terraform'],
    },
  };
}

/**
 * A plan reads live state, so it is never cached. It runs on a copy of the synthesized stacks: terraform init
 * writes .terraform/ and a lock file, which must not leak into synth's cached output. `env` is a literal
 * environment name or Nx's `{args.environment}` placeholder.
 */
function planTarget(env: string, synth: string, description: string): TargetConfiguration {
  return {
    command: [
      'set -e',
      `test -d dist/stacks/${env} || { echo "no synthesized stacks for environment ${env} in dist/stacks (run the ${synth} target)" >&2; exit 1; }`,
      `rm -rf dist/plan/${env} && mkdir -p dist/plan && cp -R dist/stacks/${env} dist/plan/${env}`,
      `for stack in dist/plan/${env}/*/; do echo "terraform plan $stack"; ` +
        'out=$(terraform -chdir="$stack" init -input=false -no-color 2>&1) || { echo "$out" >&2; echo "terraform init failed in $stack" >&2; exit 1; }; ' +
        'terraform -chdir="$stack" plan -input=false -lock=false -no-color; done',
    ].join('; '),
    dependsOn: [synth],
    cache: false,
    metadata: { description, technologies: ['terraform'] },
  };
}

/** Without a list of environments: one synth of every environment the catalog has, and a plan taking --environment. */
function allEnvironmentTargets(bin: string, names: Required<CiosTargetNames>): Record<string, TargetConfiguration> {
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
    [names.planTargetName]: {
      ...planTarget('{args.environment}', names.synthTargetName, 'terraform plan of every stack of one environment (--environment, default dev) against its live state'),
      options: { environment: 'dev', forwardAllArgs: false },
    },
  };
}
