import type { Runtime } from '@cios/platform-spec';

/**
 * Base images per runtime, pinned by the digest of their multi-arch index.
 *
 * These digests were not resolved from this machine (Docker Hub and gcr.io are out of reach here); each one is a
 * digest that independent public repositories pin for the same tag. CI refreshes and verifies them with
 *   skopeo inspect --format '{{.Digest}}' docker://<image without digest>
 * (see docker/README.md), and Dependabot-style bumps change only this file. A build can substitute any of them
 * with `--build-arg BUILD_IMAGE=…` / `--build-arg BASE_IMAGE=…`, which is how the tests use a locally built base.
 */
export interface RuntimeImages {
  /** Has the package manager: installs production dependencies in a throw-away stage. */
  readonly build: string;
  /** What the service runs on: no shell or package manager where one exists (distroless). */
  readonly runtime: string;
}

export const BASE_IMAGES: Readonly<Record<Runtime, RuntimeImages>> = {
  node: {
    build:
      'docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0',
    runtime:
      'gcr.io/distroless/nodejs20-debian12:nonroot@sha256:2cd820156cf039c8b54ae2d2a97e424b6729070714de8707a6b79f20d56f6a9a',
  },
  python: {
    // 3.11 on both sides: distroless python3-debian12 ships Debian 12's Python 3.11, so wheels built here match.
    build:
      'docker.io/library/python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b',
    runtime:
      'gcr.io/distroless/python3-debian12:nonroot@sha256:7d1042ce588ab97019fe95c24ffca7bc5a82ccdac572511d5e09bda4435c89c5',
  },
  static: {
    build:
      'docker.io/nginxinc/nginx-unprivileged:1.27-alpine@sha256:65e3e85dbaed8ba248841d9d58a899b6197106c23cb0ff1a132b7bfe0547e4c0',
    runtime:
      'docker.io/nginxinc/nginx-unprivileged:1.27-alpine@sha256:65e3e85dbaed8ba248841d9d58a899b6197106c23cb0ff1a132b7bfe0547e4c0',
  },
};

/** Where each runtime image keeps its interpreter: ENTRYPOINT names it by path since distroless has no shell. */
export const INTERPRETERS: Readonly<Record<Exclude<Runtime, 'static'>, string>> = {
  node: '/nodejs/bin/node',
  python: '/usr/bin/python3',
};
