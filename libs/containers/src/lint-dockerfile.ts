import { byCodePoint } from '@cios/platform-spec';
import { parseDockerfile, type DockerfileComment, type ParsedDockerfile } from './dockerfile-parser.js';
import { buildContext } from './lint-context.js';
import { DOCKERFILE_RULES, SUPPRESSION_RULE_ID } from './lint-rules.js';
import type {
  DockerfileFinding,
  DockerfileLintOptions,
  DockerfileLintReport,
  DockerfileSuppression,
  SuppressedDockerfileFinding,
} from './lint-types.js';

const SUPPRESSION = /^cios-lint\s+ignore=([\w,-]+)(?:\s+reason=(?:"([^"]*)"|'([^']*)'))?\s*$/;
const MIN_REASON_WORDS = 4;
const MIN_REASON_CHARS = 20;

const suppressionRule = {
  id: SUPPRESSION_RULE_ID,
  title: 'Suppressions name a rule and give a reason',
  severity: 'error' as const,
  reason: 'An exception nobody can explain is a finding nobody will revisit; the reason is what a reviewer approves.',
  fix: 'Write # cios-lint ignore=CIOS-DF-0NN reason="why this is acceptable, in a sentence" on the line before the instruction.',
};

/** Lint one Dockerfile's text: pure, so generated and hand-written files are checked the same way. */
export function lintDockerfile(text: string, options: DockerfileLintOptions): DockerfileLintReport {
  const parsed = parseDockerfile(text);
  const context = buildContext(parsed, options);
  const raw: DockerfileFinding[] = DOCKERFILE_RULES.flatMap((rule) =>
    rule.check(context).map((hit) => ({
      ruleId: rule.id,
      title: rule.title,
      severity: hit.severity ?? rule.severity,
      file: options.file,
      line: hit.line,
      message: hit.message,
      reason: rule.reason,
      fix: rule.fix,
    })),
  );

  const { suppressions, problems } = readSuppressions(parsed, options.file);
  const findings: DockerfileFinding[] = [...problems];
  const suppressed: SuppressedDockerfileFinding[] = [];
  for (const finding of raw) {
    const suppression = suppressions.find((s) => s.appliesTo === finding.line && s.ruleIds.includes(finding.ruleId));
    if (suppression && finding.ruleId !== 'CIOS-DF-000') suppressed.push({ ...finding, suppression });
    else findings.push(finding);
  }
  const order = (a: DockerfileFinding, b: DockerfileFinding) => a.line - b.line || byCodePoint(a.ruleId, b.ruleId);
  return { file: options.file, findings: findings.sort(order), suppressed: suppressed.sort(order) };
}

function readSuppressions(parsed: ParsedDockerfile, file: string): { suppressions: DockerfileSuppression[]; problems: DockerfileFinding[] } {
  const suppressions: DockerfileSuppression[] = [];
  const problems: DockerfileFinding[] = [];
  const problem = (comment: DockerfileComment, message: string) =>
    problems.push({ ruleId: suppressionRule.id, title: suppressionRule.title, severity: 'error', file, line: comment.line, message, reason: suppressionRule.reason, fix: suppressionRule.fix });
  const known = new Set(DOCKERFILE_RULES.map((r) => r.id));
  const attached = new Map<number, number>();
  for (const instruction of parsed.instructions) {
    for (const comment of instruction.leadingComments) attached.set(comment.line, instruction.line);
  }

  for (const comment of parsed.comments) {
    if (!/^cios-lint\b/.test(comment.text)) continue;
    const match = SUPPRESSION.exec(comment.text);
    if (!match) {
      problem(comment, `cannot read the suppression "# ${comment.text}"; write ignore=<rule ids> reason="…"`);
      continue;
    }
    const ruleIds = (match[1] as string).split(',').filter(Boolean);
    const reason = (match[2] ?? match[3] ?? '').trim();
    const unknown = ruleIds.filter((id) => !known.has(id) || id === 'CIOS-DF-000');
    if (unknown.length > 0) {
      problem(comment, `the suppression names ${unknown.join(', ')}, which ${unknown.length === 1 ? 'is not a rule that can be suppressed' : 'are not rules that can be suppressed'}`);
      continue;
    }
    if (reason.split(/\s+/).filter(Boolean).length < MIN_REASON_WORDS || reason.length < MIN_REASON_CHARS) {
      problem(
        comment,
        reason
          ? `the suppression of ${ruleIds.join(', ')} gives the reason "${reason}", which is not a sentence; say why the exception is safe`
          : `the suppression of ${ruleIds.join(', ')} gives no reason`,
      );
      continue;
    }
    const appliesTo = attached.get(comment.line);
    if (appliesTo === undefined) {
      problem(comment, `the suppression of ${ruleIds.join(', ')} is not directly above an instruction`);
      continue;
    }
    suppressions.push({ ruleIds, reason, line: comment.line, appliesTo });
  }
  return { suppressions, problems };
}

/** True when the report holds an error: what makes the lint (and a build) fail. */
export function hasErrors(report: Pick<DockerfileLintReport, 'findings'>): boolean {
  return report.findings.some((f) => f.severity === 'error');
}

/** `file:line: severity RULE message` lines followed by the reason and fix, for people. */
export function formatFindings(reports: readonly DockerfileLintReport[]): string {
  const lines: string[] = [];
  for (const report of reports) {
    for (const f of report.findings) {
      lines.push(`${f.file}:${f.line}: ${f.severity} ${f.ruleId} ${f.message}`);
      lines.push(`    why: ${f.reason}`);
      lines.push(`    fix: ${f.fix}`);
    }
  }
  return lines.join('\n');
}
