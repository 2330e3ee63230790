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

/** Serialise `value` as JSON; if too large, shrink the array at `items` until it fits. */
export function boundedJson(value: Record<string, unknown> & { items?: unknown[] }, maxChars = MAX_OUTPUT_CHARS): string {
  let text = JSON.stringify(value, null, 2);
  if (text.length <= maxChars || !Array.isArray(value.items)) return text;
  let items = value.items;
  while (text.length > maxChars && items.length > 1) {
    items = items.slice(0, Math.max(1, Math.floor(items.length / 2)));
    text = JSON.stringify({ ...value, items, shown: items.length, truncated: 'output limited to ~80 KB; use --limit/--fields' }, null, 2);
  }
  return text;
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
