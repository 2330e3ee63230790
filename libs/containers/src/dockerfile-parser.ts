/**
 * A Dockerfile parser good enough for linting: instructions with their first line, line continuations,
 * comments (kept, since suppressions live in them), parser directives and heredocs (`<<EOF` … `EOF`).
 * It follows the BuildKit frontend's reading of the file rather than validating every instruction's syntax.
 */

export interface DockerfileComment {
  /** 1-based line number. */
  readonly line: number;
  /** Text after `#`, trimmed. */
  readonly text: string;
}

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY … */
  readonly keyword: string;
  /** Arguments with continuations joined by a space and flags left in, as written after the keyword. */
  readonly args: string;
  /** Arguments after the leading `--flag[=value]` options. */
  readonly body: string;
  /** Leading `--name=value` / `--name` options (FROM --platform, COPY --chown, RUN --mount …). */
  readonly flags: ReadonlyMap<string, string | true>;
  /** Bodies of heredocs opened on this instruction, in order. */
  readonly heredocs: readonly Heredoc[];
  /** 1-based line where the instruction starts. */
  readonly line: number;
  /** 1-based line where it ends (its last continuation or heredoc terminator). */
  readonly endLine: number;
  /** Comments directly above the instruction (no blank line or instruction in between). */
  readonly leadingComments: readonly DockerfileComment[];
}

export interface Heredoc {
  readonly delimiter: string;
  readonly content: string;
}

export interface ParseProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedDockerfile {
  readonly instructions: readonly Instruction[];
  readonly comments: readonly DockerfileComment[];
  /** Parser directives from the top of the file (`# syntax=…`, `# escape=…`), lower-case keys. */
  readonly directives: ReadonlyMap<string, string>;
  readonly problems: readonly ParseProblem[];
}

export const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC_OPEN = /<<(-?)(["']?)([A-Za-z_][\w.-]*)\2/g;

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const directives = new Map<string, string>();
  const comments: DockerfileComment[] = [];
  const problems: ParseProblem[] = [];
  const instructions: Instruction[] = [];

  let index = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  while (index < lines.length) {
    const match = /^#\s*([a-zA-Z][\w-]*)\s*=\s*(\S+)\s*$/.exec(lines[index] as string);
    if (!match || directives.has((match[1] as string).toLowerCase())) break;
    directives.set((match[1] as string).toLowerCase(), match[2] as string);
    comments.push({ line: index + 1, text: (lines[index] as string).replace(/^#\s*/, '').trim() });
    index += 1;
  }
  const escape = directives.get('escape') === '`' ? '`' : '\\';

  let pendingComments: DockerfileComment[] = [];
  while (index < lines.length) {
    const raw = lines[index] as string;
    const trimmed = raw.trim();
    if (trimmed === '') {
      pendingComments = [];
      index += 1;
      continue;
    }
    if (trimmed.startsWith('#')) {
      const comment = { line: index + 1, text: trimmed.slice(1).trim() };
      comments.push(comment);
      pendingComments.push(comment);
      index += 1;
      continue;
    }

    const startLine = index + 1;
    // Join continuation lines; comment lines inside a continuation are dropped, as BuildKit does.
    const parts: string[] = [];
    let current = raw;
    for (;;) {
      const continued = endsWithEscape(current, escape);
      parts.push(continued ? current.replace(/\s+$/, '').slice(0, -1) : current);
      if (!continued) break;
      index += 1;
      while (index < lines.length && /^\s*(#.*)?$/.test(lines[index] as string)) {
        const inner = (lines[index] as string).trim();
        if (inner.startsWith('#')) comments.push({ line: index + 1, text: inner.slice(1).trim() });
        index += 1;
      }
      if (index >= lines.length) {
        problems.push({ line: startLine, message: 'the file ends inside a line continuation' });
        break;
      }
      current = lines[index] as string;
    }
    const joined = parts.map((p) => p.trim()).join(' ').trim();
    const keywordMatch = /^(\S+)\s*(.*)$/s.exec(joined);
    const keyword = (keywordMatch?.[1] ?? '').toUpperCase();
    const args = (keywordMatch?.[2] ?? '').trim();
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      problems.push({ line: startLine, message: `unknown instruction "${keywordMatch?.[1] ?? joined}"` });
    }

    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) || (keyword === 'ONBUILD' && /^(RUN|COPY|ADD)\b/i.test(args))) {
      for (const open of args.matchAll(HEREDOC_OPEN)) {
        const stripTabs = open[1] === '-';
        const delimiter = open[3] as string;
        const body: string[] = [];
        index += 1;
        let closed = false;
        while (index < lines.length) {
          const line = lines[index] as string;
          if ((stripTabs ? line.replace(/^\t+/, '') : line) === delimiter) {
            closed = true;
            break;
          }
          body.push(stripTabs ? line.replace(/^\t+/, '') : line);
          index += 1;
        }
        if (!closed) {
          problems.push({ line: startLine, message: `heredoc <<${delimiter} is never closed by a line "${delimiter}"` });
          index = lines.length - 1;
        }
        heredocs.push({ delimiter, content: body.length > 0 ? `${body.join('\n')}\n` : '' });
      }
    }

    const { flags, body } = splitFlags(args);
    instructions.push({
      keyword,
      args,
      body,
      flags,
      heredocs,
      line: startLine,
      endLine: Math.min(index + 1, lines.length),
      leadingComments: pendingComments,
    });
    pendingComments = [];
    index += 1;
  }

  return { instructions, comments, directives, problems };
}

function endsWithEscape(line: string, escape: string): boolean {
  const trimmed = line.replace(/\s+$/, '');
  return trimmed.endsWith(escape) && !trimmed.endsWith(escape + escape);
}

function splitFlags(args: string): { flags: Map<string, string | true>; body: string } {
  const flags = new Map<string, string | true>();
  let rest = args;
  for (;;) {
    const match = /^--([A-Za-z][\w-]*)(?:=("[^"]*"|\S*))?\s*/.exec(rest);
    if (!match) break;
    const value = match[2];
    flags.set(match[1] as string, value === undefined ? true : value.replace(/^"(.*)"$/, '$1'));
    rest = rest.slice(match[0].length);
  }
  return { flags, body: rest.trim() };
}

/** `["a","b"]` → ['a','b'] when the arguments are in exec (JSON) form, else undefined. */
export function execForm(body: string): string[] | undefined {
  const trimmed = body.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `KEY=value KEY2="v 2"` or legacy `KEY value` pairs of ENV, LABEL and ARG (ARG may have no value).
 * Quotes are removed; `$VAR` references are kept verbatim so callers can tell literals from references.
 */
export function keyValuePairs(body: string, legacySingle: boolean): { key: string; value: string | undefined }[] {
  const trimmed = body.trim();
  if (legacySingle && !/^[^\s=]+=/.test(trimmed)) {
    const match = /^(\S+)(?:\s+(.*))?$/s.exec(trimmed);
    if (!match) return [];
    return [{ key: match[1] as string, value: match[2] === undefined ? undefined : unquote(match[2].trim()) }];
  }
  const pairs: { key: string; value: string | undefined }[] = [];
  const token = /([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*))?/g;
  for (const match of trimmed.matchAll(token)) {
    pairs.push({ key: match[1] as string, value: match[2] === undefined ? undefined : unquote(match[2]) });
  }
  return pairs;
}

function unquote(value: string): string {
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value.replace(/\\(.)/g, '$1');
}
