import { readFileSync } from 'node:fs';
import { JsonSyntaxError, SpecError, locateSpecError, parseJsonText, type Platform, type SloPolicyInput } from '@cios/platform-spec';
import { effectivePolicy } from '@cios/monitoring';

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
    throw locateSpecError(error, text, file);
  }
  return input as SloPolicyInput;
}
