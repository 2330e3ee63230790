import { byCodePoint } from '@cios/platform-spec';
import { CliError } from './errors.js';
import { answers } from './exec.js';

export type BuilderKind = 'docker' | 'buildah';

/**
 * docker buildx only when a Docker engine answers `docker info` (a docker CLI without an engine is common on CI
 * images), else buildah, which builds rootless without a daemon.
 */
export function detectBuilder(env: NodeJS.ProcessEnv): BuilderKind {
  const forced = env['CIOS_IMAGE_BUILDER'];
  if (forced === 'docker' || forced === 'buildah') return forced;
  if (answers('docker', ['info'], env)) return 'docker';
  if (answers('buildah', ['--version'], env)) return 'buildah';
  throw new CliError(
    'no image builder found: no Docker engine answers "docker info" and buildah is not on PATH; install buildah (apt-get install buildah) or start Docker',
  );
}

/**
 * Global buildah options. vfs is the default storage driver because it works everywhere rootless (unprivileged
 * containers, CI runners); overlay is much faster where the kernel allows it (CIOS_BUILDAH_STORAGE_DRIVER=overlay).
 * CIOS_BUILDAH_ROOT / CIOS_BUILDAH_RUNROOT keep a build's storage apart (tests, parallel jobs).
 */
export function buildahGlobals(env: NodeJS.ProcessEnv): string[] {
  const args = ['--storage-driver', env['CIOS_BUILDAH_STORAGE_DRIVER'] ?? 'vfs'];
  if (env['CIOS_BUILDAH_ROOT']) args.push('--root', env['CIOS_BUILDAH_ROOT']);
  if (env['CIOS_BUILDAH_RUNROOT']) args.push('--runroot', env['CIOS_BUILDAH_RUNROOT']);
  return args;
}

/**
 * The timestamp buildah writes into layers, history and the image config. It is a constant, not the commit time:
 * buildah stamps every file with it, so a commit-dependent value would change every layer's bytes on every commit,
 * and neither cached layers nor unchanged dependency layers could be reused. When the image was made is recorded
 * in the org.opencontainers.image.created label instead (from SOURCE_DATE_EPOCH).
 */
export const LAYER_EPOCH = 0;

export interface BuildRequest {
  readonly contextDir: string;
  readonly dockerfile: string;
  readonly ignorefile?: string;
  /** Local name, e.g. localhost/cios/sample-api:<commit>. */
  readonly image: string;
  /** Seconds since the epoch for every layer file, history entry and the config's `created`. */
  readonly layerEpoch: number;
  readonly noCache?: boolean;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Labels set on the final image besides the Dockerfile's. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The builder's command line: pure, so tests can read it. */
export function buildCommand(kind: BuilderKind, request: BuildRequest, env: NodeJS.ProcessEnv): { command: string; args: string[] } {
  const buildArgs = Object.entries(request.buildArgs)
    .sort(([a], [b]) => byCodePoint(a, b))
    .flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  if (kind === 'docker') {
    return {
      command: 'docker',
      args: ['buildx', 'build', '--load', '--provenance=false', ...(request.noCache ? ['--no-cache'] : []), ...buildArgs, '-f', request.dockerfile, '-t', request.image, request.contextDir],
    };
  }
  return {
    command: 'buildah',
    args: [
      ...buildahGlobals(env),
      'bud',
      '--isolation',
      'chroot',
      // One layer per instruction, so dependencies and code land in separate layers and a code change reuses the rest.
      '--layers',
      '--timestamp',
      String(request.layerEpoch),
      '--identity-label=false',
      ...(request.noCache ? ['--no-cache'] : []),
      // buildah 1.28 reuses a cached LABEL step whose ARG values changed, so the provenance labels are also set
      // at commit time, where they always win.
      ...Object.entries(request.labels ?? {})
        .sort(([a], [b]) => byCodePoint(a, b))
        .flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      ...(request.ignorefile ? ['--ignorefile', request.ignorefile] : []),
      ...buildArgs,
      '-f',
      request.dockerfile,
      '-t',
      request.image,
      request.contextDir,
    ],
  };
}
