import { byCodePoint, parseImageRef, type Platform } from '@cios/platform-spec';

/**
 * An image the catalog runs that is no service of its own: a data service's backup job. A release carries it
 * under its repository's last path segment (e.g. "backup-tools"); @cios/infra uses a release image of the same
 * repository instead of the catalog's tag, which is how prod gets it pinned by digest.
 */
export interface SupportImage {
  readonly key: string;
  /** Repository without tag or digest, e.g. "ghcr.io/cios/backup-tools". */
  readonly repository: string;
  /** The reference the catalog names, e.g. "ghcr.io/cios/backup-tools:1.4.0". */
  readonly image: string;
  /** What to look up in the registry: the catalog's tag, else its digest. */
  readonly reference: string;
  readonly usedBy: readonly string[];
}

/** The distinct backup.image repositories of the catalog's services, sorted by key. */
export function supportImages(platform: Pick<Platform, 'services'>): SupportImage[] {
  const byRepository = new Map<string, { image: string; reference: string; usedBy: string[] }>();
  for (const service of platform.services) {
    if (!service.backup) continue;
    const parsed = parseImageRef(service.backup.image);
    if (!parsed) continue;
    const entry = byRepository.get(parsed.repository) ?? { image: service.backup.image, reference: parsed.tag ?? parsed.digest ?? 'latest', usedBy: [] };
    entry.usedBy.push(service.name);
    byRepository.set(parsed.repository, entry);
  }
  return [...byRepository]
    .map(([repository, e]) => ({ key: repository.split('/').at(-1) as string, repository, image: e.image, reference: e.reference, usedBy: e.usedBy.sort() }))
    .sort((a, b) => byCodePoint(a.key, b.key));
}
