import { readFileSync } from 'node:fs';
import { Release, parseSpec, type Release as ReleaseType } from '@cios/platform-spec';
import type { Suppression } from './policy/types.js';

/** Input a person wrote is wrong: the message names the file and the place. */
export class InputError extends Error {
  override name = 'InputError';
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

/** Reads a JSON file; a syntax error is reported as file:line:column. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const reported = /position (\d+)/.exec(message)?.[1];
    const position = reported === undefined ? firstJsonErrorOffset(text) : Number(reported);
    const where = position === undefined ? '' : `:${lineColumn(text, position)}`;
    throw new InputError(`${file}${where}: not valid JSON (${message})`);
  }
}

export function readRelease(file: string): ReleaseType {
  return parseSpec(Release, readJsonFile(file), file);
}

/** A suppressions file: a JSON array of { ruleId, resource, reason }. */
export function readSuppressions(file: string): Suppression[] {
  const data = readJsonFile(file);
  if (!Array.isArray(data)) throw new InputError(`${file}: must be a JSON array of { ruleId, resource, reason }`);
  return data.map((entry: unknown, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    for (const field of ['ruleId', 'resource', 'reason']) {
      if (typeof e[field] !== 'string') throw new InputError(`${file}: [${i}].${field} must be a string`);
    }
    return { ruleId: e['ruleId'] as string, resource: e['resource'] as string, reason: e['reason'] as string };
  });
}

/** Offset of the first character that breaks JSON grammar (Node 20's messages do not always say). */
export function firstJsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (offset) {
    return offset as number;
  }
}
