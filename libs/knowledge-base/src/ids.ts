/** New IDs that continue the file's own pattern (ASSIGN_009 → ASSIGN_010). */

/** Next id after the highest `<prefix><number>` among `existing`; keeps the zero padding. */
export function nextId(existing: Iterable<string>, fallbackPrefix: string, minWidth = 3): string {
  const counts = new Map<string, number>();
  const parsed: { prefix: string; n: number; width: number }[] = [];
  for (const id of existing) {
    const m = /^(.*?)(\d+)$/.exec(id);
    if (!m) continue;
    const prefix = m[1] as string;
    const digits = m[2] as string;
    parsed.push({ prefix, n: Number(digits), width: digits.length });
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  let prefix = fallbackPrefix;
  let best = 0;
  for (const [p, c] of counts) {
    if (c > best) {
      best = c;
      prefix = p;
    }
  }
  let max = 0;
  let width = minWidth;
  for (const p of parsed) {
    if (p.prefix !== prefix) continue;
    if (p.n > max) max = p.n;
    if (p.width > width) width = p.width;
  }
  return `${prefix}${String(max + 1).padStart(width, '0')}`;
}
