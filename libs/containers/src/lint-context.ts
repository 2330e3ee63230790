import type { Instruction, ParsedDockerfile } from './dockerfile-parser.js';
import { keyValuePairs } from './dockerfile-parser.js';
import type { DockerfileLintOptions, Severity } from './lint-types.js';

export interface Stage {
  readonly from: Instruction;
  /** The FROM argument after ARG substitution. */
  readonly image: string;
  /** Unresolved `${ARG}` names left in the image, when an ARG has no default. */
  readonly unresolved: readonly string[];
  /** The `--build-arg` names whose values went into the image (empty when it came from the file alone). */
  readonly fromBuildArgs: readonly string[];
  readonly alias?: string;
  /** True when FROM names an earlier stage or `scratch`: nothing to pin. */
  readonly internal: boolean;
  readonly instructions: readonly Instruction[];
}

export interface LintContext {
  readonly parsed: ParsedDockerfile;
  readonly options: DockerfileLintOptions;
  readonly stages: readonly Stage[];
}

export interface RuleHit {
  readonly line: number;
  readonly message: string;
  readonly severity?: Severity;
}

export interface DockerfileRule {
  /** Stable id, e.g. "CIOS-DF-001". */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Why the rule exists. */
  readonly reason: string;
  /** What to change when it fires. */
  readonly fix: string;
  check(context: LintContext): RuleHit[];
}

export function buildContext(parsed: ParsedDockerfile, options: DockerfileLintOptions): LintContext {
  const globalArgs = new Map<string, string | undefined>();
  const overridden = new Set<string>();
  const stages: {
    from: Instruction;
    image: string;
    unresolved: string[];
    fromBuildArgs: string[];
    alias?: string;
    internal: boolean;
    instructions: Instruction[];
  }[] = [];
  for (const instruction of parsed.instructions) {
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction.body);
      const { value, unresolved } = substitute(match?.[1] ?? '', globalArgs);
      const fromBuildArgs = argNamesIn(match?.[1] ?? '').filter((name) => overridden.has(name));
      const aliases = new Set(stages.map((s) => s.alias?.toLowerCase()).filter(Boolean));
      const internal = value.toLowerCase() === 'scratch' || aliases.has(value.toLowerCase()) || /^\d+$/.test(value);
      stages.push({
        from: instruction,
        image: value,
        unresolved,
        fromBuildArgs,
        ...(match?.[2] ? { alias: match[2] } : {}),
        internal,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        for (const { key, value } of keyValuePairs(instruction.body, false)) {
          const given = buildArgValue(options, key);
          if (given !== undefined) overridden.add(key);
          globalArgs.set(key, given ?? value);
        }
      }
    } else {
      (stages[stages.length - 1] as { instructions: Instruction[] }).instructions.push(instruction);
    }
  }
  return { parsed, options, stages };
}

/**
 * The `--build-arg` value for an ARG the file declares. A build arg the file does not declare changes nothing
 * (builders ignore it with a warning), which is why overrides are applied here, per declaration, and not up front.
 */
function buildArgValue(options: DockerfileLintOptions, name: string): string | undefined {
  return options.buildArgs && Object.hasOwn(options.buildArgs, name) ? options.buildArgs[name] : undefined;
}

/** The ARG names a FROM argument refers to, `${NAME…}` or `$NAME`. */
function argNamesIn(text: string): string[] {
  return [...text.matchAll(/\$\{([A-Za-z_]\w*)|\$([A-Za-z_]\w*)/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** How findings name a base: its reference, and the build args it came from when they decided it. */
export function describeBase(stage: Stage): string {
  const origin = stage.fromBuildArgs.map((name) => `--build-arg ${name}`).join(', ');
  return origin ? `"${stage.image}" (from ${origin})` : `"${stage.image}"`;
}

/** `${NAME}`, `${NAME:-default}` and `$NAME` replaced by ARG defaults declared before the first FROM. */
export function substitute(text: string, args: ReadonlyMap<string, string | undefined>): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const value = text.replace(/\$\{([A-Za-z_]\w*)(?::?[-+]([^}]*))?\}|\$([A-Za-z_]\w*)/g, (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    const known = args.get(name);
    if (known !== undefined && known !== '') return known;
    if (fallback !== undefined && whole.includes(':-')) return fallback;
    unresolved.push(name);
    return whole;
  });
  return { value, unresolved };
}

export interface BaseImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Docker's reading of a FROM reference: a tag is what follows the last ":" after the last "/", so "node:20" is
 * repository "node" with tag "20" (not host "node", port 20, as a registry-host-first parse would have it).
 */
export function imageOf(stage: Stage): BaseImageRef | undefined {
  const match = /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+(?=\/))?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(
    stage.image,
  );
  if (!match) return undefined;
  const [, repository, tag, digest] = match;
  return { repository: repository as string, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function finalStage(context: LintContext): Stage | undefined {
  return context.stages[context.stages.length - 1];
}

/** The shell text a RUN executes: its command plus any heredoc bodies. */
export function runText(instruction: Instruction): string {
  return [instruction.body, ...instruction.heredocs.map((h) => h.content)].join('\n');
}
