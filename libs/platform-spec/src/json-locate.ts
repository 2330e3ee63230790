import { lineColumnAt } from './json-text.js';

/** `tiers[0].factor` → ['tiers', 0, 'factor']: the inverse of platform-spec's formatPath for identifier keys. */
export function parsePath(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? (m[1] as string) : Number(m[2])));
}

/**
 * Where the value at `path` starts in JSON text that parses, as line:column; undefined when the text holds
 * nothing there (a problem about a field the file left out, or one inherited from elsewhere).
 */
export function locateJsonPath(text: string, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  const offset = valueOffset(text, skipWs(text, 0), path);
  return offset === undefined ? undefined : lineColumnAt(text, offset);
}

/** Where the key `key` of the object at `path` starts, as line:column; undefined when the text holds no such key. */
export function locateJsonKey(text: string, path: readonly (string | number)[], key: string): { line: number; column: number } | undefined {
  const object = valueOffset(text, skipWs(text, 0), path);
  if (object === undefined || text[object] !== '{') return undefined;
  const member = members(text, object).find((m) => m.key === key);
  return member === undefined ? undefined : lineColumnAt(text, member.keyOffset);
}

function valueOffset(text: string, start: number, path: readonly (string | number)[]): number | undefined {
  if (path.length === 0) return start;
  const [head, ...rest] = path;
  const open = text[start];
  if (open === '{' && typeof head === 'string') {
    for (const member of members(text, start)) {
      if (member.key === head) return valueOffset(text, member.value, rest);
    }
  } else if (open === '[' && typeof head === 'number') {
    const element = elements(text, start)[head];
    if (element !== undefined) return valueOffset(text, element, rest);
  }
  return undefined;
}

function members(text: string, start: number): { key: string; keyOffset: number; value: number }[] {
  const out: { key: string; keyOffset: number; value: number }[] = [];
  let i = skipWs(text, start + 1);
  while (text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const value = skipWs(text, skipWs(text, keyEnd) + 1);
    out.push({ key, keyOffset: i, value });
    i = skipWs(text, valueEnd(text, value));
    if (text[i] === ',') i = skipWs(text, i + 1);
  }
  return out;
}

function elements(text: string, start: number): number[] {
  const out: number[] = [];
  let i = skipWs(text, start + 1);
  while (i < text.length && text[i] !== ']') {
    out.push(i);
    i = skipWs(text, valueEnd(text, i));
    if (text[i] === ',') i = skipWs(text, i + 1);
  }
  return out;
}

/** Offset just past the value starting at `i` (the text is known to be JSON). */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = stringEnd(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  const m = /^[^,\]}\s]+/.exec(text.slice(i));
  return i + (m ? m[0].length : 0);
}

function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  return i;
}
