import { readFileSync } from 'node:fs';
import { JsonSyntaxError, SpecError, parseJsonText, type Platform, type SloPolicyInput } from '@cios/platform-spec';
import { effectivePolicy } from '@cios/monitoring';
import { locateJsonPath, parsePath } from './json-locate.js';

/** A --policy file that cannot be used; the message names the file and, where it can, line:column. */
export class PolicyFileError extends Error {
  override name = 'PolicyFileError';
}

/**
 * Reads an SLO policy file (JSON, SloPolicy fields) and checks it against the platform's policy it overrides:
 * syntax errors give file:line:column, schema errors the JSON path and, for fields the file holds, line:column.
 */
export function readPolicyFile(file: string, platform: Platform): SloPolicyInput {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyFileError(`${file}: cannot read the SLO policy (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let input: unknown;
  try {
    input = parseJsonText(text, file);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new PolicyFileError(error.message);
    throw error;
  }
  try {
    effectivePolicy(platform, input as SloPolicyInput, file);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const problems = error.problems.map((p) => {
      // zod reports an unknown key at its object; the key itself is what a person has to find.
      const unknownKey = /^Unrecognized keys?: "([^"]+)"/.exec(p.message)?.[1];
      const at = locateJsonPath(text, [...parsePath(p.path), ...(unknownKey === undefined ? [] : [unknownKey])]);
      return at ? { ...p, path: `${p.path || '(root)'} (${file}:${at.line}:${at.column})` } : p;
    });
    throw new SpecError(error.source, problems);
  }
  return input as SloPolicyInput;
}
