import { readFileSync } from 'node:fs';
import { JsonSyntaxError, Release, parseJsonSpec, parseJsonText, type Release as ReleaseType } from '@cios/platform-spec';
import type { Suppression } from './policy/types.js';

/** Input a person wrote is wrong: the message names the file and the place. */
export class InputError extends Error {
  override name = 'InputError';
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Runs a JSON parse of a file's text; a syntax error becomes an InputError giving file:line:column. */
function parsedFrom<T>(file: string, parse: (text: string) => T): T {
  try {
    return parse(readText(file));
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new InputError(error.message);
    throw error;
  }
}

export function readJsonFile(file: string): unknown {
  return parsedFrom(file, (text) => parseJsonText(text, file));
}

/** A release file; schema problems (SpecError) give the JSON path and line:column of each bad field. */
export function readRelease(file: string): ReleaseType {
  return parsedFrom(file, (text) => parseJsonSpec(Release, text, file));
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
