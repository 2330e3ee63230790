import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { formatFindings, hasErrors, lintDockerfile, renderImageFiles } from '@cios/containers';

import { LAYER_EPOCH, buildCommand, buildahGlobals, detectBuilder, type BuilderKind } from '../builder.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { exec } from '../exec.js';
import { commitEpoch, headCommit } from '../git.js';
import { ARCHIVE_FILE, RECORD_FILE, archiveCommand, archiveTransport, formatRecord, imageDir, type ImageRecord } from '../image-archive.js';
import { writeFileAtomic } from '../io.js';
import { readNodeProject, selectTargets, type ImageTarget } from '../targets.js';
import { renderProps } from './render-props.js';

export const BUILD_HELP = `Usage: cios-image build SERVICE… | --all [options]

Builds each service's image from its source directory (sourceDir in the catalog, else apps/<name>) with its own
Dockerfile or the rendered one, after linting it with production rules, and writes a CycloneDX SBOM of its npm
dependencies. Builder: docker buildx when a Docker engine answers, else rootless buildah.

  --all                 every service with source in this repository (says which it skipped and why)
  --tag TAG             image tag (default: the commit, git rev-parse HEAD)
  --build-arg K=V       extra build argument, repeatable (e.g. BASE_IMAGE=… for an air-gapped base)
                        (a base image given this way is linted like the Dockerfile's own: pinned by digest)
  --sbom-dir DIR        where SBOMs go (default: dist/images/sboms)
  --no-sbom             skip the SBOM
  --no-cache            ignore cached layers
  --no-archive          skip the archive: by default the image is also written to dist/images/<service>/image.tar
                        (OCI archive from buildah, docker save from docker) with image.json (image id, digests,
                        revision, SBOM), which a build cache can restore and "push --from-archive" pushes
  --json                results as JSON on stdout

SOURCE_DATE_EPOCH (default: the commit time) is the created label; layer files, history and the image
config carry a constant timestamp, so one commit gives one digest and unchanged layers keep theirs.
Environment: CIOS_BUILDAH_STORAGE_DRIVER (vfs), CIOS_BUILDAH_ROOT, CIOS_BUILDAH_RUNROOT, CIOS_IMAGE_BUILDER.
Exit: 0 built, 1 refused or failed, 2 usage.`;

export interface BuildOptions {
  readonly all: boolean;
  readonly tag?: string;
  readonly buildArgs: readonly string[];
  readonly sbomDir?: string;
  readonly sbom: boolean;
  /** Ignore cached layers (proves a clean build gives the same digest). */
  readonly noCache?: boolean;
  /** Also write the image to dist/images/<service> as an archive with its record. */
  readonly archive: boolean;
}

export interface BuiltImage {
  readonly service: string;
  readonly image: string;
  readonly imageId: string;
  readonly builder: BuilderKind;
  readonly dockerfile: string;
  readonly sbom?: string;
  /** The archive build wrote (repository-relative), when it wrote one. */
  readonly archive?: string;
}

export async function runBuild(context: CommandContext, names: readonly string[], options: BuildOptions): Promise<number> {
  const { io, root, progress } = context;
  const chosen = options.all ? context.targets : selectTargets(context.targets, names);
  const skipped = chosen.filter((t) => t.skipped);
  if (!options.all && skipped.length > 0) {
    throw new CliError(skipped.map((t) => `cannot build ${t.name}: ${t.skipped}`).join('\n'));
  }
  for (const t of skipped) progress.info(`skipped ${t.name}: ${t.skipped}`);
  const buildable = chosen.filter((t) => !t.skipped);
  const extraArgs = parseBuildArgs(options.buildArgs);

  const builder = detectBuilder(io.env);
  const commit = headCommit(root);
  const tag = options.tag ?? commit;
  const epoch = io.env['SOURCE_DATE_EPOCH'] && /^\d+$/.test(io.env['SOURCE_DATE_EPOCH']) ? Number(io.env['SOURCE_DATE_EPOCH']) : commitEpoch(root, commit);
  const sourceUrl = io.env['GITHUB_REPOSITORY'] ? `${io.env['GITHUB_SERVER_URL'] ?? 'https://github.com'}/${io.env['GITHUB_REPOSITORY']}` : undefined;
  const env = { ...io.env, SOURCE_DATE_EPOCH: String(epoch) };
  const created = new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
  const buildArgs = builderArgs({ commit, created, epoch, ...(sourceUrl ? { sourceUrl } : {}) }, extraArgs);
  // Lint and render everything first, with the build args the builder gets (a --build-arg can replace a pinned base):
  // a refused Dockerfile stops the run before any build starts.
  const plans = buildable.map((target) => planBuild(context, target, buildArgs));

  const built: BuiltImage[] = [];
  for (const plan of plans) {
    const { target } = plan;
    const image = builder === 'buildah' ? `localhost/${target.repository}:${tag}` : `${target.repository}:${tag}`;
    const command = buildCommand(
      builder,
      {
        contextDir: target.contextDir as string,
        dockerfile: plan.dockerfile,
        ...(plan.ignorefile ? { ignorefile: plan.ignorefile } : {}),
        image,
        layerEpoch: LAYER_EPOCH,
        noCache: options.noCache === true,
        labels: {
          'org.opencontainers.image.revision': commit,
          'org.opencontainers.image.created': created,
          ...(sourceUrl ? { 'org.opencontainers.image.source': sourceUrl } : {}),
        },
        buildArgs,
      },
      env,
    );
    progress.step(`building ${target.name} with ${builder}`);
    const result = await exec(command.command, command.args, {
      cwd: root,
      env,
      onLine: (line) => {
        if (/^(\[\d+\/\d+\] )?STEP \d+/.test(line)) progress.info(line.slice(0, 160));
      },
    });
    if (result.code !== 0) {
      throw new CliError(`building ${target.name} failed (${command.command} exited ${result.code}):\n${tail(result.stderr || result.stdout)}`);
    }
    const imageId = await imageIdOf(builder, image, env);
    progress.done(`built ${image}`);
    let sbom: string | undefined;
    if (options.sbom) {
      sbom = await writeSbom(context, target, resolve(io.cwd, options.sbomDir ?? join(root, 'dist/images/sboms')));
    }
    const record = options.archive
      ? await writeArchive(context, { service: target.name, image, tag, revision: commit, builder, imageId, ...(sbom ? { sbom: relative(root, sbom) } : {}) }, env)
      : undefined;
    built.push({
      service: target.name,
      image,
      imageId,
      builder,
      dockerfile: relative(root, plan.dockerfile),
      ...(sbom ? { sbom: relative(root, sbom) } : {}),
      ...(record ? { archive: relative(root, join(imageDir(root, target.name), record.archive)) } : {}),
    });
  }

  if (context.json) {
    io.stdout(`${JSON.stringify({ built, skipped: skipped.map((t) => ({ service: t.name, reason: t.skipped })) }, null, 2)}\n`);
  } else {
    for (const b of built) io.stdout(`${b.service}\t${b.image}\t${b.imageId}${b.sbom ? `\t${b.sbom}` : ''}\n`);
    if (built.length === 0) io.stdout('nothing to build\n');
  }
  return 0;
}

interface BuildPlan {
  readonly target: ImageTarget;
  readonly dockerfile: string;
  readonly ignorefile?: string;
}

function planBuild(context: CommandContext, target: ImageTarget, buildArgs: Readonly<Record<string, string>>): BuildPlan {
  const { root } = context;
  let dockerfile = target.dockerfile;
  let text: string;
  let ignorefile: string | undefined;
  if (dockerfile) {
    text = readFileSync(dockerfile, 'utf8');
  } else {
    const files = renderImageFiles(target, renderProps(target, root));
    const dir = join(root, 'dist/images', target.name);
    dockerfile = join(dir, 'Dockerfile');
    ignorefile = join(dir, '.dockerignore');
    writeFileAtomic(dockerfile, files.dockerfile);
    writeFileAtomic(ignorefile, files.dockerignore);
    text = files.dockerfile;
  }
  const report = lintDockerfile(text, { file: relative(root, dockerfile), prod: true, expectedUser: target.runAsUser, buildArgs });
  if (hasErrors(report)) {
    throw new CliError(`refusing to build ${target.name}: its Dockerfile breaks the image rules\n${formatFindings([report])}`);
  }
  return { target, dockerfile, ...(ignorefile ? { ignorefile } : {}) };
}

interface Provenance {
  readonly commit: string;
  readonly created: string;
  readonly epoch: number;
  readonly sourceUrl?: string;
}

/** Every build arg the builder is given: provenance first, so a --build-arg given on the command line wins. */
function builderArgs(provenance: Provenance, extra: Readonly<Record<string, string>>): Record<string, string> {
  return {
    REVISION: provenance.commit,
    CREATED: provenance.created,
    SOURCE_DATE_EPOCH: String(provenance.epoch),
    ...(provenance.sourceUrl ? { SOURCE_URL: provenance.sourceUrl } : {}),
    ...extra,
  };
}

function parseBuildArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const match = /^([A-Za-z_]\w*)=(.*)$/s.exec(arg);
    if (!match) throw new CliError(`--build-arg "${arg}" is not NAME=value`);
    out[match[1] as string] = match[2] as string;
  }
  return out;
}

async function imageIdOf(builder: BuilderKind, image: string, env: NodeJS.ProcessEnv): Promise<string> {
  const result =
    builder === 'buildah'
      ? await exec('buildah', [...buildahGlobals(env), 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', image], { env })
      : await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { env });
  if (result.code !== 0) throw new CliError(`cannot inspect the image ${image} just built: ${tail(result.stderr)}`);
  return result.stdout.trim().replace(/^sha256:/, '');
}

/**
 * Writes the image to dist/images/<service>/image.tar and then its record. The old record goes first and the new
 * one is written last, so a record always describes the archive next to it (an interrupted build leaves none).
 */
async function writeArchive(
  context: CommandContext,
  facts: Omit<ImageRecord, 'archive' | 'transport' | 'manifestDigest'>,
  env: NodeJS.ProcessEnv,
): Promise<ImageRecord> {
  const { root, progress } = context;
  const dir = imageDir(root, facts.service);
  const file = join(dir, ARCHIVE_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  const digestFile = join(dir, `.digest.tmp-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, RECORD_FILE), { force: true });
  progress.step(`writing ${facts.image} to ${relative(root, file)}`);
  const command = archiveCommand(facts.builder, facts.image, tmp, digestFile, env);
  try {
    const result = await exec(command.command, command.args, { env });
    if (result.code !== 0) {
      throw new CliError(`writing the archive of ${facts.service} failed (${command.command} exited ${result.code}):\n${tail(result.stderr || result.stdout)}`);
    }
    const manifestDigest = existsSync(digestFile) ? readFileSync(digestFile, 'utf8').trim() : undefined;
    renameSync(tmp, file);
    const record: ImageRecord = { ...facts, ...(manifestDigest ? { manifestDigest } : {}), archive: ARCHIVE_FILE, transport: archiveTransport(facts.builder) };
    writeFileAtomic(join(dir, RECORD_FILE), formatRecord(record));
    progress.done(`archived ${relative(root, file)}${manifestDigest ? ` (${manifestDigest})` : ''}`);
    return record;
  } finally {
    rmSync(tmp, { force: true });
    rmSync(digestFile, { force: true });
  }
}

/** CycloneDX SBOM of the project's production npm dependencies, from the workspace's lockfile and node_modules. */
async function writeSbom(context: CommandContext, target: ImageTarget, dir: string): Promise<string | undefined> {
  const { root, progress, io } = context;
  const project = target.contextDir ? readNodeProject(target.contextDir, root) : undefined;
  if (!project?.name) {
    progress.info(`no SBOM for ${target.name}: it is not an npm project`);
    return undefined;
  }
  const require = createRequire(import.meta.url);
  // The package exports only its index (at its root), so its bin script is found next to that.
  const bin = join(dirname(require.resolve('@cyclonedx/cyclonedx-npm')), 'bin', 'cyclonedx-npm-cli.js');
  if (!existsSync(bin)) throw new CliError(`the SBOM tool is missing (${bin}); run npm install`);
  const file = join(dir, `${target.name}.cdx.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  progress.step(`writing the SBOM of ${target.name}`);
  const result = await exec(
    process.execPath,
    [bin, '--omit', 'dev', '--workspace', project.name, '--output-reproducible', '--output-format', 'JSON', '--output-file', tmp],
    { cwd: root, env: { ...io.env, NODE_ENV: 'production' } },
  );
  if (result.code !== 0) {
    rmSync(tmp, { force: true });
    throw new CliError(`the SBOM of ${target.name} failed (cyclonedx-npm exited ${result.code}):\n${tail(result.stderr)}`);
  }
  renameSync(tmp, file);
  progress.done(`SBOM ${relative(root, file)}`);
  return file;
}

export function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
