/**
 * Safe JSON decoding of a KB file: size limit, UTF-8 check, line:column on syntax errors,
 * no prototype-polluting keys, bounded nesting depth.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { KbError, inFile } from './errors.js';

export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const MAX_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);


/** Line and column (both 1-based) of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** Decode bytes as UTF-8 text, refusing binary content. */
export function decodeText(bytes: Uint8Array, file?: string): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // ASCII (the usual case) decodes ~30× faster than UTF-8; both checks are a single fast native pass.
  let text: string;
  if (isAscii(buffer)) text = buffer.toString('ascii');
  else if (isUtf8(buffer)) text = buffer.toString('utf8');
  else throw new KbError('invalid', inFile(file, 'not UTF-8 text (binary or corrupted content); restore it from the .bak copy'), { file });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte order mark
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    const { line, column } = lineColumn(text, nul);
    throw new KbError('invalid', inFile(file, `${line}:${column}: NUL byte in a JSON file (binary or corrupted content)`), { file });
  }
  return text;
}

/**
 * V8's message for a stray token carries no position, only an excerpt: the whole text when it is
 * short, else up to 10 characters either side of the token, with "..." where it cut.
 */
const UNEXPECTED_TOKEN = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/;
const EXCERPT_CONTEXT = 10;

function unexpectedTokenOffset(text: string, [, token, cutBefore, excerpt, cutAfter]: RegExpExecArray): number | undefined {
  if (token === undefined || excerpt === undefined) return undefined;
  if (cutBefore) {
    // The token follows 10 characters of context; the first such place is where parsing stopped.
    for (let at = text.indexOf(excerpt); at !== -1; at = text.indexOf(excerpt, at + 1)) {
      if (text[at + EXCERPT_CONTEXT] === token) return at + EXCERPT_CONTEXT;
    }
    return undefined;
  }
  if (cutAfter) return excerpt.length - EXCERPT_CONTEXT - 1;
  // A short text, shown whole: the token is where the first prefix stops being merely incomplete.
  // (Only V8's short texts get here; the bound keeps this quadratic scan from ever meeting a big file.)
  if (text.length > 4 * EXCERPT_CONTEXT) return undefined;
  for (let end = 1; end <= text.length; end++) {
    try {
      JSON.parse(text.slice(0, end));
    } catch (error) {
      if (UNEXPECTED_TOKEN.test((error as Error).message)) return end - 1;
    }
  }
  return undefined;
}

function syntaxError(text: string, error: unknown, file?: string): KbError {
  const raw = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError) {
    return new KbError('invalid', inFile(file, `JSON nested too deeply (more than ${MAX_DEPTH} levels)`), { file });
  }
  let offset: number | undefined;
  const pos = /position (\d+)/.exec(raw);
  const unexpected = UNEXPECTED_TOKEN.exec(raw);
  if (pos) offset = Number(pos[1]);
  else if (/end of JSON input|Unterminated/i.test(raw)) offset = text.length;
  else if (unexpected) offset = unexpectedTokenOffset(text, unexpected);
  // Node puts a copy of the offending text in some messages; keep only the explanation.
  const reason = raw
    .replace(UNEXPECTED_TOKEN, "unexpected '$1'")
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/ \(line \d+ column \d+\)$/, '');
  if (offset === undefined) return new KbError('invalid', inFile(file, `invalid JSON: ${reason}`), { file });
  const { line, column } = lineColumn(text, offset);
  return new KbError('invalid', inFile(file, `${line}:${column}: invalid JSON: ${reason}`), { file });
}

function pathOf(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Walk a parsed value: refuse forbidden keys and excessive depth. Iterative: no stack overflow. */
function checkStructure(root: unknown, checkKeys: boolean, file?: string): void {
  interface Frame {
    value: object;
    depth: number;
    parent: Frame | undefined;
    key: string | number;
  }
  const describe = (frame: Frame, extra?: string): string => {
    const parts: (string | number)[] = extra === undefined ? [] : [extra];
    for (let f: Frame | undefined = frame; f && f.parent; f = f.parent) parts.unshift(f.key);
    const full = pathOf(parts);
    return full.length > 60 ? `${full.slice(0, 60)}…` : full;
  };
  if (root === null || typeof root !== 'object') return;
  const stack: Frame[] = [{ value: root, depth: 0, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const { value, depth } = frame;
    if (depth >= MAX_DEPTH) {
      throw new KbError('invalid', inFile(file, `${describe(frame)}: JSON nested too deeply (more than ${MAX_DEPTH} levels)`), { file });
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1, parent: frame, key: i });
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (checkKeys && FORBIDDEN_KEYS.has(key)) {
          throw new KbError('invalid', inFile(file, `${describe(frame, key)}: forbidden key "${key}"`), { file });
        }
        const child = record[key];
        if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1, parent: frame, key });
      }
    }
  }
}

export interface ParseOptions {
  file?: string;
}

/** Parse KB text. Throws KbError('invalid') with file and line:column / JSON path. */
export function parseKbJson(text: string, options: ParseOptions = {}): unknown {
  const { file } = options;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw syntaxError(text, error, file);
  }
  // Forbidden keys can only be present if their quoted name appears in the text, or is spelled with
  // escapes ("\u005f_proto__" parses to "__proto__"): a cheap pre-check before walking every key.
  const mayHaveForbidden = text.includes('"__proto__"') || text.includes('"constructor"') || text.includes('"prototype"') || text.includes('\\u');
  checkStructure(value, mayHaveForbidden, file);
  return value;
}
