import type { z } from 'zod';

/** One problem in a spec: where it is and what a person should know. */
export interface SpecProblem {
  readonly path: string;
  readonly message: string;
  /** `file:line:column` of the bad field, when the spec was read from text that holds it. */
  readonly at?: string;
}

/** Thrown when a spec does not validate; its message lists every problem with its path. */
export class SpecError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${p.path || '(root)'}${p.at ? ` (${p.at})` : ''}: ${p.message}`).join('\n')}`);
    this.name = 'SpecError';
  }
}

/** `a.b[3].c` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

export function problemsOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): SpecProblem[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message: issue.message,
  }));
}

/** Any platform-spec schema, and what it parses to: lets other projects be generic over schemas without depending on zod. */
export type SpecSchema = z.ZodType;
export type SpecOf<S extends SpecSchema> = z.infer<S>;

/** Parse with a schema, or throw a SpecError naming the source and each bad field. */
export function parseSpec<S extends z.ZodType>(schema: S, input: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SpecError(source, problemsOf(result.error));
  return result.data;
}
