/**
 * Object names: `<stamp>-<service>.<part>` with `<stamp>` = UTC `YYYYMMDDTHHMMSSZ`, so names sort by time
 * and one run's objects share the stem `<stamp>-<service>`. The manifest, written last, marks a complete backup.
 */
export const SERVICES = ['postgres', 'redis', 'qdrant'] as const;
export type ServiceName = (typeof SERVICES)[number];

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const OBJECT = /^(\d{8}T\d{6}Z)-(postgres|redis|qdrant)\.(.+)$/;
export const MANIFEST_PART = 'manifest.json';

export function formatStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export function parseStamp(stamp: string): Date | undefined {
  const m = STAMP.exec(stamp);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Date.UTC rolls month 13 into next year: a stamp is valid only if it formats back to itself.
  return Number.isNaN(date.getTime()) || formatStamp(date) !== stamp ? undefined : date;
}

export function stemOf(stamp: string, service: ServiceName): string {
  return `${stamp}-${service}`;
}

/** A part name safe in an object key and a file name (database and collection names may hold anything). */
export function safePart(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E');
}

export interface ParsedObjectName {
  readonly stem: string;
  readonly stamp: string;
  readonly takenAt: Date;
  readonly service: ServiceName;
  readonly part: string;
}

/** Names this tool did not write (wrong pattern) parse to undefined and are never touched. */
export function parseObjectName(name: string): ParsedObjectName | undefined {
  const m = OBJECT.exec(name);
  if (!m) return undefined;
  const [, stamp, service, part] = m as unknown as [string, string, ServiceName, string];
  const takenAt = parseStamp(stamp);
  if (!takenAt) return undefined;
  return { stem: `${stamp}-${service}`, stamp, takenAt, service, part };
}
