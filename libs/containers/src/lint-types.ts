export type Severity = 'error' | 'warning';

/** One finding at file:line, with the rule's reason and fix so the reader needs no other document. */
export interface DockerfileFinding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly reason: string;
  readonly fix: string;
}

/** `# cios-lint ignore=CIOS-DF-003 reason="…"` on the line(s) before an instruction. */
export interface DockerfileSuppression {
  readonly ruleIds: readonly string[];
  readonly reason: string;
  /** Line of the comment. */
  readonly line: number;
  /** Line of the instruction it applies to. */
  readonly appliesTo: number;
}

export interface SuppressedDockerfileFinding extends DockerfileFinding {
  readonly suppression: DockerfileSuppression;
}

export interface DockerfileLintReport {
  readonly file: string;
  /** Findings not suppressed: an error fails the lint, a warning is printed. */
  readonly findings: readonly DockerfileFinding[];
  readonly suppressed: readonly SuppressedDockerfileFinding[];
}

export interface DockerfileLintOptions {
  /** Shown in findings as `file:line`. */
  readonly file: string;
  /** Production rules: a base image pinned by tag alone is an error, not a warning. */
  readonly prod?: boolean;
  /** The service's runAsUser: the final USER must equal it. */
  readonly expectedUser?: number;
  /**
   * The `--build-arg` values the builder will be given. They replace the defaults of the ARGs declared before the
   * first FROM, as the builder does, so the base images checked are the ones actually built on.
   */
  readonly buildArgs?: Readonly<Record<string, string>>;
}
