import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { JsonSyntaxError, SpecError, type SpecOf, type SpecSchema, parseJsonSpec } from '@cios/platform-spec';

/** Write to a temp file beside the target, then rename: readers see the old or the new file, never half. */
export function writeFileAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/** A state file that exists but is not what the deployer wrote: its message names the file and the place. */
export class MalformedFileError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(detail.startsWith(file) ? detail : `${file}: ${detail}`);
    this.name = 'MalformedFileError';
  }
}

/**
 * Reads a JSON state file against its schema: undefined when it does not exist; a MalformedFileError
 * naming the file and the line:column or field when it is truncated, not JSON, or not of that shape.
 */
export function readJsonFile<S extends SpecSchema>(file: string, schema: S): SpecOf<S> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return parseJsonSpec(schema, text, file);
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof SpecError) throw new MalformedFileError(file, error.message);
    throw error;
  }
}
