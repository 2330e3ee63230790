import type { Environment } from '@cios/platform-spec';
import type { RenderedStack } from '../render.js';
import { buildModel } from './model.js';
import { POLICY_RULES } from './registry.js';
import { validateSuppressions } from './suppressions.js';
import type { PolicyFinding, PolicyReport, PolicyRule, RuleViolation, SuppressedFinding, Suppression } from './types.js';

export interface PolicyInput {
  readonly environment: Environment;
  readonly stacks: readonly RenderedStack[];
  readonly suppressions?: readonly Suppression[];
  /** @default POLICY_RULES */
  readonly rules?: readonly PolicyRule[];
}

/** Runs every rule over the synthesized stacks: pure, ordered by rule then resource. */
export function checkPolicy(input: PolicyInput): PolicyReport {
  const rules = input.rules ?? POLICY_RULES;
  const suppressions = validateSuppressions(input.suppressions ?? [], rules);
  const context = { environment: input.environment, stacks: input.stacks, model: buildModel(input.stacks) };
  const findings: PolicyFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const used = new Set<Suppression>();
  // The first suppression naming each rule and resource (a lookup per finding, not a scan).
  const byTarget = new Map<string, Suppression>();
  for (const s of suppressions) {
    const key = `${s.ruleId}\u0000${s.resource}`;
    if (!byTarget.has(key)) byTarget.set(key, s);
  }
  for (const rule of rules) {
    const violations = mergeAcrossStacks(rule.check(context))
      .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : a.message < b.message ? -1 : 1));
    for (const v of violations) {
      const finding: PolicyFinding = {
        ruleId: rule.id,
        title: rule.title,
        severity: v.severity ?? rule.severity,
        resource: v.resource,
        address: v.address,
        message: v.message,
        reason: rule.reason,
        fix: rule.fix,
      };
      const suppression = byTarget.get(`${rule.id}\u0000${v.resource}`);
      if (suppression) {
        used.add(suppression);
        suppressed.push({ ...finding, suppression });
      } else {
        findings.push(finding);
      }
    }
  }
  return { findings, suppressed, unusedSuppressions: suppressions.filter((s) => !used.has(s)) };
}

/**
 * One violation per resource and problem: prod's standby stack repeats the primary's resources, so the
 * same finding would otherwise be reported (and counted) once per cluster. Its address lists every stack.
 */
function mergeAcrossStacks(violations: readonly RuleViolation[]): RuleViolation[] {
  const merged = new Map<string, RuleViolation>();
  for (const v of violations) {
    const key = `${v.resource}\u0000${v.message}\u0000${v.severity ?? ''}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, address: `${seen.address}, ${v.address}` } : v);
  }
  return [...merged.values()];
}

export function formatFinding(f: PolicyFinding): string {
  return `${f.severity.toUpperCase()} ${f.ruleId} ${f.resource}: ${f.message}\n    why: ${f.reason}\n    fix: ${f.fix}\n    at:  ${f.address}`;
}

/** Thrown when errors remain after suppressions; its message lists every one. */
export class PolicyError extends Error {
  constructor(
    readonly environment: string,
    readonly findings: readonly PolicyFinding[],
  ) {
    const errors = findings.filter((f) => f.severity === 'error');
    super(`policy check failed for ${environment}: ${errors.length} error(s)\n${errors.map(formatFinding).join('\n')}`);
    this.name = 'PolicyError';
  }
}
