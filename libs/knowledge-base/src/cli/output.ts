/** Bounded output for agents' context windows. */
import type { BlockedTask } from '../queries.js';
import type { Assignment } from '../schema.js';

/** Hard cap on one command's output (~20k tokens). */
export const MAX_OUTPUT_CHARS = 80_000;

export const DEFAULT_TASK_FIELDS = ['id', 'task', 'assigned_to', 'priority', 'status', 'progress', 'dependencies', 'claimed_by', 'waiting_for', 'assigned_at'];

export function clip(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function taskLine(t: Assignment): string {
  const deps = t.dependencies && t.dependencies.length > 0 ? ` [deps: ${t.dependencies.join(', ')}]` : '';
  const progress = typeof t.progress === 'number' && t.status !== 'completed' ? ` ${t.progress}%` : '';
  const claimed = t.claimed_by ? ` (claimed by ${t.claimed_by})` : '';
  return `${t.id.padEnd(11)} ${(t.priority ?? '--').padEnd(3)} ${t.status.padEnd(11)} ${clip(t.assigned_to, 40)} — ${clip(t.task, 90)}${progress}${claimed}${deps}`;
}

/** Strings longer than this are cut in JSON output that would not fit otherwise. */
const LONG_STRING_CHARS = 2_000;
const TRUNCATED = 'output limited to ~80 KB: long strings cut, lists shortened; use --limit/--fields, or read the file';

/** `value` with every string longer than `max` cut to `max` characters and marked with its full length. */
function cutLongStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}… [cut: ${value.length} characters]` : value;
  if (Array.isArray(value)) return value.map((v) => cutLongStrings(v, max));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutLongStrings(v, max)]));
  }
  return value;
}

/** `value` with each top-level list of two or more halved (`items` also gets its `shown` count); undefined if none is. */
function halveLists(value: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!Object.values(value).some((v) => Array.isArray(v) && v.length > 1)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = Array.isArray(v) && v.length > 1 ? v.slice(0, Math.ceil(v.length / 2)) : v;
  if (Array.isArray(out['items'])) out['shown'] = out['items'].length;
  return out;
}

/**
 * Serialise `value` as JSON within `maxChars` (agents' context windows): if it does not fit, cut long
 * strings, then halve the lists until it does, and say so in `truncated`. The output stays valid JSON.
 */
export function boundedJson(value: Record<string, unknown>, maxChars = MAX_OUTPUT_CHARS): string {
  let text = JSON.stringify(value, null, 2);
  if (text.length <= maxChars) return text;
  for (let cut = LONG_STRING_CHARS; ; cut = Math.floor(cut / 4)) {
    let view: Record<string, unknown> | undefined = { ...(cutLongStrings(value, cut) as Record<string, unknown>), truncated: TRUNCATED };
    while (view) {
      text = JSON.stringify(view, null, 2);
      if (text.length <= maxChars) return text;
      view = halveLists(view);
    }
    if (cut <= 100) return text; // one entry of short strings that still does not fit: as small as it gets
  }
}

/** Cap plain-text output. */
export function boundedText(lines: readonly string[], maxChars = MAX_OUTPUT_CHARS): string {
  let total = 0;
  const out: string[] = [];
  for (const line of lines) {
    total += line.length + 1;
    if (total > maxChars) {
      out.push(`… ${lines.length - out.length} more lines not shown (output limited to ~80 KB; use --limit)`);
      break;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** "what it waits for": the task's own reason (unless it only repeats dependency ids) and open dependencies. */
export function waitingText(b: BlockedTask): string {
  const depIds = new Set(b.waits_on.map((d) => d.id));
  const reasonIsIds = !!b.reason && b.reason.split(/[\s,]+/).filter(Boolean).every((part) => depIds.has(part));
  const parts = [b.reason && !reasonIsIds ? clip(b.reason, 80) : '', ...b.waits_on.map((d) => `${d.id} (${d.status})`)].filter(Boolean);
  return parts.join('; ') || 'unspecified';
}
