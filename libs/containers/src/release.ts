import { JsonSyntaxError, Release, SpecError, byCodePoint, parseImageRef, parseJsonSpec, parseSpec, requiresDigests, type Environment } from '@cios/platform-spec';

/**
 * The repository path of an image inside its registry: the service's image without the registry host, so the
 * same path can be pushed to GHCR, a mirror or a loopback test registry ("ghcr.io/cios/case-service" →
 * "cios/case-service", "docker.io/library/postgres" → "library/postgres").
 */
export function repositoryPath(image: string): string {
  const [first, ...rest] = image.split('/');
  const isHost = rest.length > 0 && first !== undefined && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? rest.join('/') : image;
}

/** The tag every image built from a commit gets: the commit itself, so a release can find it again. */
export function commitTag(commit: string): string {
  return commit;
}

export interface ReleaseInput {
  readonly environment: Environment;
  readonly commit: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Image reference per service name. */
  readonly images: Readonly<Record<string, string>>;
  readonly sboms?: Readonly<Record<string, string>>;
}

/** A release validated by the schema and, where the environment requires it (always prod), pinned by digest. */
export function buildRelease(input: ReleaseInput): Release {
  const sorted = (record: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => byCodePoint(a, b)));
  const release = parseSpec(
    Release,
    {
      environment: input.environment.name,
      commit: input.commit,
      createdBy: input.createdBy,
      createdAt: input.createdAt,
      images: sorted(input.images),
      ...(input.sboms && Object.keys(input.sboms).length > 0 ? { sboms: sorted(input.sboms) } : {}),
    },
    'release',
  );
  assertDeployable(release, input.environment, 'release');
  return release;
}

/** Problems that keep a valid release out of its environment: images without digests where digests are required. */
export function releaseProblems(release: Release, environment: Environment): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (release.environment !== environment.name) {
    problems.push({ path: 'environment', message: `the release is for "${release.environment}", not "${environment.name}"` });
  }
  if (!requiresDigests(environment)) return problems;
  for (const [service, ref] of Object.entries(release.images)) {
    if (!parseImageRef(ref)?.digest) {
      problems.push({
        path: `images.${service}`,
        message: `"${ref}" is pinned by tag only; ${environment.name} requires a digest (repository@sha256:…)`,
      });
    }
  }
  return problems;
}

export function assertDeployable(release: Release, environment: Environment, source: string): void {
  const problems = releaseProblems(release, environment);
  if (problems.length > 0) throw new SpecError(source, problems);
}

/** Reads a release file's JSON text: schema problems and digest problems alike name the file and the field. */
export function parseReleaseText(text: string, source: string, environment?: Environment): Release {
  let release: Release;
  try {
    release = parseJsonSpec(Release, text, source);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new SpecError(source, [{ path: '', message: `not valid JSON at line ${error.line}, column ${error.column}${error.near ? ` ("${error.near}")` : ' (unexpected end)'}` }]);
  }
  if (environment) assertDeployable(release, environment, source);
  return release;
}
