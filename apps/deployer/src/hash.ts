import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values always hash the same. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of a set of files: order-independent, path and content both count. */
export function hashFiles(files: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const path of Object.keys(files).sort()) {
    const content = files[path] as string;
    h.update(`${path}\0${content.length}\0`).update(content).update('\0');
  }
  return h.digest('hex');
}
