import type { TargetConfiguration } from '@nx/devkit';
import { IMAGE_BIN, type CiosTargetNames } from './markers.js';

/** Where the image CLI lives, so image targets can run it and depend on its build. */
export interface ToolLocation {
  readonly project: string;
  /** Workspace-relative path of the bin script, e.g. `apps/image-cli/bin/cios-image.js`. */
  readonly binPath: string;
}

/** Where `cios-image build` leaves an image outside the container engine: the archive and its record. */
export function imageOutputDir(image: string): string {
  return `dist/images/${image}`;
}

/**
 * `image` is cached: besides loading the image into the container engine, cios-image build writes it as an
 * archive with a JSON record (image id, digests, SBOM) to dist/images/<name>, which a cache hit restores and
 * `image-push --from-archive` pushes from when the engine does not hold the image. Its inputs:
 * - the project's `production` files: the Dockerfile, the .dockerignore and every source the build context's
 *   files are built from (dist/ is git-ignored, so it is covered by the sources it is compiled from); a superset of
 *   the .dockerignore-filtered context, so an excluded file (a README) still rebuilds, but nothing is ever stale;
 * - `^production`: the workspace packages the image bundles; the base images are pinned by digest in the Dockerfile;
 * - the image CLI's own sources, which decide how the image is built, and SOURCE_DATE_EPOCH / CIOS_IMAGE_BUILDER.
 * The commit is no input: a cache hit at a later commit reuses the image built from identical inputs, and its
 * `org.opencontainers.image.revision` label (and the record's `revision`) name the commit that built it.
 * `image-push` changes a registry, so it is never cached. The image is named after the project folder, which is
 * how cios-image finds it (a catalog service's sourceDir, or apps/<name>). Extra flags (`--tag`, `--registry`,
 * `--insecure`) pass through to cios-image.
 */
export function imageTargets(root: string, cli: ToolLocation, names: Required<CiosTargetNames>): Record<string, TargetConfiguration> {
  const image = root.split('/').pop() as string;
  const cliBuild = { projects: [cli.project], target: 'build' };
  return {
    [names.imageTargetName]: {
      command: `node ${cli.binPath} build ${image}`,
      dependsOn: [cliBuild, 'build', '^build'],
      cache: true,
      inputs: [
        'production',
        '^production',
        { input: 'production', projects: [cli.project] },
        { env: 'SOURCE_DATE_EPOCH' },
        { env: 'CIOS_IMAGE_BUILDER' },
      ],
      outputs: [`{workspaceRoot}/${imageOutputDir(image)}`, `{workspaceRoot}/dist/images/sboms/${image}.cdx.json`],
      metadata: {
        description: `Lint ${root}/Dockerfile, build the ${image} image and write it with its record and SBOM to ${imageOutputDir(image)} (${IMAGE_BIN})`,
        technologies: ['docker'],
      },
    },
    [names.imagePushTargetName]: {
      command: `node ${cli.binPath} push ${image} --from-archive`,
      dependsOn: [names.imageTargetName, cliBuild],
      cache: false,
      metadata: {
        description: `Push the ${image} image (from the engine, else from ${imageOutputDir(image)} after a cache hit; --registry, default $CIOS_REGISTRY else ghcr.io) and print its digest`,
        technologies: ['docker'],
      },
    },
  };
}
