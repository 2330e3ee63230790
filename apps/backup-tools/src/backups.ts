import { MANIFEST_PART, parseObjectName, type ServiceName } from './naming.js';
import type { StoredObject } from './retention.js';

export interface BackupEntry {
  readonly stem: string;
  readonly service: ServiceName;
  /** UTC time the backup started, from its name. */
  readonly takenAt: string;
  /** Complete when its manifest exists (written after every artifact). */
  readonly complete: boolean;
  readonly manifest: string;
  readonly objects: readonly string[];
  readonly size: number;
}

/** Groups a listing into backups, newest first; names this tool did not write are left out. */
export function groupBackups(objects: readonly StoredObject[], service?: ServiceName): BackupEntry[] {
  const byStem = new Map<string, { service: ServiceName; takenAt: Date; objects: StoredObject[] }>();
  for (const object of objects) {
    const parsed = parseObjectName(object.name);
    if (!parsed || (service && parsed.service !== service)) continue;
    const entry = byStem.get(parsed.stem) ?? { service: parsed.service, takenAt: parsed.takenAt, objects: [] };
    entry.objects.push(object);
    byStem.set(parsed.stem, entry);
  }
  return [...byStem.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([stem, e]) => {
      const manifest = `${stem}.${MANIFEST_PART}`;
      return {
        stem,
        service: e.service,
        takenAt: e.takenAt.toISOString(),
        complete: e.objects.some((o) => o.name === manifest),
        manifest,
        objects: e.objects.map((o) => o.name).sort(),
        size: e.objects.reduce((sum, o) => sum + o.size, 0),
      };
    });
}
