/** Shape validation (zod) + integrity checks, with messages that name the JSON path. */
import type { z } from 'zod';
import { KbError, inFile } from './errors.js';
import { compileFastCheck } from './fast-check.js';
import { checkIntegrity } from './integrity.js';
import { knowledgeBaseSchema, type KnowledgeBase } from './schema.js';

const MAX_REPORTED = 8;

/** Yes/no pre-check compiled from the zod schema; zod runs only when it says no (to name the problems). */
const fastCheck = compileFastCheck(knowledgeBaseSchema);

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out === '' ? '(root)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function issueMessage(issue: z.core.$ZodIssue, root: unknown): string {
  const actual = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')} (got ${describeValue(actual)})`;
    case 'invalid_type':
      return actual === undefined ? `required ${issue.expected} is missing` : `expected ${issue.expected}, got ${describeValue(actual)}`;
    case 'invalid_format':
    case 'too_small':
    case 'too_big':
    case 'custom':
      return `${issue.message} (got ${describeValue(actual)})`;
    default:
      return issue.message;
  }
}

/** Problems of a parsed value as `path: message` strings; empty when valid. */
export function problemsOf(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`(root): expected a JSON object, got ${describeValue(value)}`];
  }
  const result = fastCheck?.(value) ? undefined : knowledgeBaseSchema.safeParse(value);
  if (result && !result.success) {
    return result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issueMessage(issue, value)}`);
  }
  return checkIntegrity(value as KnowledgeBase);
}

export function problemsError(file: string | undefined, problems: readonly string[], what = 'invalid knowledge base'): KbError {
  const shown = problems.slice(0, MAX_REPORTED);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  const message =
    problems.length === 1 ? inFile(file, problems[0] as string) : inFile(file, `${what}: ${problems.length} problems\n  ${shown.join('\n  ')}${more}`);
  return new KbError('invalid', message, { file, issues: problems });
}

/** Validate a parsed value and return it typed; the same object, never a copy. */
export function assertKnowledgeBase(value: unknown, file?: string): KnowledgeBase {
  const problems = problemsOf(value);
  if (problems.length > 0) throw problemsError(file, problems);
  return value as KnowledgeBase;
}
