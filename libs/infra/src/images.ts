import { parseImageRef, type Release, type Service } from '@cios/platform-spec';

/** The tag rendered when no release names an image: the policy flags it (warning outside prod, error in prod). */
export const UNRELEASED_TAG = 'unreleased';

export interface ResolvedImage {
  readonly ref: string;
  /** Value for app.kubernetes.io/version: the tag, else a short digest. */
  readonly version: string;
  readonly fromRelease: boolean;
}

export function imageFor(service: Pick<Service, 'name' | 'image'>, release: Release | undefined): ResolvedImage {
  const ref = release?.images[service.name];
  if (!ref) return { ref: `${service.image}:${UNRELEASED_TAG}`, version: UNRELEASED_TAG, fromRelease: false };
  const parsed = parseImageRef(ref);
  const version = parsed?.tag ?? (parsed?.digest ? parsed.digest.replace(':', '-').slice(0, 19) : UNRELEASED_TAG);
  return { ref, version: labelValue(version), fromRelease: true };
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(value: string): string {
  return value
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * The backup job's image: the catalog pins a tag; a release that carries an image of the same
 * repository (e.g. "backup-tools": "ghcr.io/cios/backup-tools:1.4.0@sha256:…") overrides it, so prod gets a digest.
 */
export function backupImageFor(catalogImage: string, release: Release | undefined): string {
  const repository = parseImageRef(catalogImage)?.repository;
  if (!release || !repository) return catalogImage;
  const names = Object.keys(release.images).sort();
  for (const name of names) {
    const ref = release.images[name] as string;
    if (parseImageRef(ref)?.repository === repository) return ref;
  }
  return catalogImage;
}
