import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { notRunningIn, parseImageRef, runsIn, servicesIn, type Environment, type Platform, type Release } from '@cios/platform-spec';
import { InputError } from './cli-input.js';
import { normalizedJsonText } from './normalize.js';
import { PolicyError, checkPolicy } from './policy/run.js';
import type { PolicyFinding, SuppressedFinding, Suppression } from './policy/types.js';
import { renderStacks } from './render.js';
import { renderSummary } from './summary.js';

export interface SynthOptions {
  readonly platform: Platform;
  /** Name of an environment of `platform`. */
  readonly environment: string;
  /** Images to run; without one, images render as `<repository>:unreleased` (render mode, see CIOS-IMG-002). */
  readonly release?: Release;
  /** Where the release came from (its file), for error messages. @default "the release" */
  readonly releaseSource?: string;
  /** Where to write: `<outdir>/stacks/<stack>/cdk.tf.json` and `<outdir>/summary.md`. */
  readonly outdir: string;
  /** Accepted exceptions to policy rules, each with a rule, a resource and a reason. */
  readonly suppressions?: readonly Suppression[];
  /**
   * Write `<outdir>/<stack>/cdk.tf.json` instead of `<outdir>/stacks/<stack>/…` (the Nx synth target's layout).
   * @default false
   */
  readonly flat?: boolean;
  /**
   * Review output without a deployable release: image provenance findings (CIOS-IMG-002, CIOS-IMG-003)
   * become warnings even in prod, and the summary is headed NOT DEPLOYABLE. The deployer never sets it.
   * @default false
   */
  readonly preview?: boolean;
}

/** Rules about where images come from: the only ones a preview softens. */
export const IMAGE_PROVENANCE_RULES: readonly string[] = ['CIOS-IMG-002', 'CIOS-IMG-003'];

export interface SynthResult {
  readonly stacks: { name: string; dir: string; file: string }[];
  readonly summary: string;
  /** Unsuppressed findings (warnings only: errors throw a PolicyError). */
  readonly findings: PolicyFinding[];
  readonly suppressed: SuppressedFinding[];
}

/** The environment of `platform` called `name`; an unknown name is an error listing the known ones. */
export function environmentNamed(platform: Platform, name: string): Environment {
  const env = platform.environments.find((e) => e.name === name);
  if (!env) throw new Error(`unknown environment "${name}"; the platform has: ${platform.environments.map((e) => e.name).join(', ')}`);
  return env;
}

/**
 * A release must be for this environment and name only what the environment runs: a service of it, or a support
 * image (a backup job's: under its repository's last path segment, e.g. "backup-tools", as the deployer names them,
 * or any key whose reference is of a backup image's repository, which is what backupImageFor matches).
 * Anything else would be ignored, so a typo'd service name would silently deploy `:unreleased`, and a service kept
 * out of this environment (its `environments`) would look released here while nothing of it is rendered.
 */
function checkRelease(platform: Platform, env: Environment, release: Release, source: string): void {
  if (release.environment !== env.name) {
    throw new InputError(`${source}: environment: the release is for environment "${release.environment}", not "${env.name}"`);
  }
  const running = servicesIn(platform, env);
  const elsewhere = platform.services.filter((s) => !runsIn(s, env) && s.name in release.images);
  if (elsewhere.length > 0) {
    throw new InputError(
      `${source}: ${elsewhere.map((s) => `images.${s.name}`).join(', ')}: ${elsewhere
        .map((s) => notRunningIn(s, env))
        .join('; ')}; remove ${elsewhere.length === 1 ? 'it' : 'them'} from the release`,
    );
  }
  const known = new Set(running.map((s) => s.name));
  const supportRepositories = new Set<string>();
  for (const s of running) {
    const repository = s.backup ? parseImageRef(s.backup.image)?.repository : undefined;
    if (repository) {
      known.add(repository.split('/').at(-1) as string);
      supportRepositories.add(repository);
    }
  }
  // backupImageFor takes a support image by its repository whatever its key: such an entry is used, not ignored.
  const used = (name: string, ref: string) => known.has(name) || supportRepositories.has(parseImageRef(ref)?.repository ?? '');
  const unknown = Object.entries(release.images)
    .filter(([name, ref]) => !used(name, ref))
    .map(([name]) => name)
    .sort();
  if (unknown.length > 0) {
    throw new InputError(
      `${source}: ${unknown.map((name) => `images.${name}`).join(', ')}: not a service of ${env.name} nor a support image (known: ${[...known].sort().join(', ')})`,
    );
  }
}

/** Writes through a temporary file and a rename, so readers never see half a file. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * Synthesizes one environment to Terraform JSON and checks it against the policy; writes nothing
 * when an error finding remains (throws PolicyError listing all of them).
 */
export function synthEnvironment(options: SynthOptions): SynthResult {
  const env = environmentNamed(options.platform, options.environment);
  if (options.release) checkRelease(options.platform, env, options.release, options.releaseSource ?? 'the release');
  const rendered = renderStacks({ platform: options.platform, environment: env, ...(options.release ? { release: options.release } : {}) });
  const checked = checkPolicy({ environment: env, stacks: rendered, ...(options.suppressions ? { suppressions: options.suppressions } : {}) });
  const report = options.preview
    ? {
        ...checked,
        findings: checked.findings.map((f) =>
          IMAGE_PROVENANCE_RULES.includes(f.ruleId) ? { ...f, severity: 'warning' as const } : f,
        ),
      }
    : checked;
  if (report.findings.some((f) => f.severity === 'error')) throw new PolicyError(env.name, report.findings);

  const summary =
    (options.preview
      ? '> NOT DEPLOYABLE: preview synth; image provenance findings are shown as warnings.\n\n'
      : '') + renderSummary(options.platform, env, rendered, report, options.release);
  const stacks = rendered.map((s) => {
    const dir = options.flat ? join(options.outdir, s.name) : join(options.outdir, 'stacks', s.name);
    const file = join(dir, 'cdk.tf.json');
    // renderStacks already normalised the config: serialise it as is.
    writeAtomic(file, normalizedJsonText(s.config));
    return { name: s.name, dir, file };
  });
  writeAtomic(join(options.outdir, 'summary.md'), summary);
  return { stacks, summary, findings: report.findings, suppressed: report.suppressed };
}
