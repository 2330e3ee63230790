import { MANIFEST_PART, parseObjectName } from './naming.js';

export interface StoredObject {
  /** Name relative to the destination prefix. */
  readonly name: string;
  readonly size: number;
}

export interface RetentionPlan {
  readonly delete: readonly string[];
  readonly keep: readonly string[];
  /** The newest complete backup, never deleted whatever its age (absent when `keepNewest` is false). */
  readonly newestComplete?: string;
}

const DAY_MS = 86_400_000;

/**
 * Which objects to prune: those of backups (complete or abandoned) taken more than retentionDays before now,
 * judged by the time in their name (the store's own timestamps change on copy and cannot be trusted). Never the
 * newest complete backup of each service (unless `keepNewest` is false: for a prefix nobody writes to any more),
 * never a name this tool did not write, and only names directly under the destination (the listing is of that
 * prefix; nested names are another prefix's business).
 */
export function planRetention(objects: readonly StoredObject[], now: Date, retentionDays: number, options: { keepNewest?: boolean } = {}): RetentionPlan {
  const keepNewest = options.keepNewest ?? true;
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const parsed = objects.filter((o) => !o.name.includes('/')).map((o) => ({ object: o, name: parseObjectName(o.name) }));
  const newestBy = new Map<string, string>();
  for (const p of parsed) {
    if (p.name?.part !== MANIFEST_PART) continue;
    const current = newestBy.get(p.name.service);
    if (current === undefined || p.name.stem > current) newestBy.set(p.name.service, p.name.stem);
  }
  const protectedStems = new Set(keepNewest ? newestBy.values() : []);
  const remove: string[] = [];
  const keep: string[] = [];
  for (const p of parsed) {
    const old = p.name !== undefined && p.name.takenAt.getTime() < cutoff && !protectedStems.has(p.name.stem);
    (old ? remove : keep).push(p.object.name);
  }
  const newest = [...protectedStems].sort().at(-1);
  return { delete: remove.sort(), keep: keep.sort(), ...(newest ? { newestComplete: newest } : {}) };
}
