import type { z } from 'zod';
import { SpecError, problemsOf } from './errors.js';
import { locateJsonKey, locateJsonPath, parsePath } from './json-locate.js';
import { parseJsonText } from './json-text.js';

/**
 * A SpecError about JSON text, with each problem placed at `source:line:column` where the text holds the
 * field (a field the file left out, or one inherited from elsewhere, keeps its JSON path only).
 */
export function locateSpecError(error: SpecError, text: string, source: string): SpecError {
  return new SpecError(
    error.source,
    error.problems.map((problem) => {
      // zod reports an unknown key at its object; the key itself is what a person has to find.
      const unknownKey = /^Unrecognized keys?: "([^"]+)"/.exec(problem.message)?.[1];
      const path = parsePath(problem.path);
      const at = unknownKey === undefined ? locateJsonPath(text, path) : locateJsonKey(text, path, unknownKey);
      return at ? { ...problem, at: `${source}:${at.line}:${at.column}` } : problem;
    }),
  );
}

/**
 * JSON text checked against a schema: a syntax error is a JsonSyntaxError (source:line:column), schema problems
 * a SpecError whose problems give the JSON path and line:column of each bad field.
 */
export function parseJsonSpec<S extends z.ZodType>(schema: S, text: string, source: string): z.infer<S> {
  const result = schema.safeParse(parseJsonText(text, source));
  if (!result.success) throw locateSpecError(new SpecError(source, problemsOf(result.error)), text, source);
  return result.data;
}
