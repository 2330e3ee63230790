import { readFileSync } from 'node:fs';
import { JsonSyntaxError, Release, parseJsonText, parseSpec, type Release as ReleaseType } from '@cios/platform-spec';
import type { Suppression } from './policy/types.js';

/** Input a person wrote is wrong: the message names the file and the place. */
export class InputError extends Error {
  override name = 'InputError';
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
    return parseJsonText(text, file);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new InputError(error.message);
    throw error;
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
