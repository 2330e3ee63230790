import type { Environment } from '@cios/platform-spec';
import type { RenderedStack } from '../render.js';
import type { PolicyModel } from './model.js';

export type Severity = 'error' | 'warning';

/** What a rule reports: the resource it concerns and what is wrong there. */
export interface RuleViolation {
  /** `<Kind>/<namespace>/<name>` (or `<Kind>/<name>` when cluster-scoped): what a suppression names. */
  readonly resource: string;
  /** `<stack>:<terraform address>`, for finding it in cdk.tf.json. */
  readonly address: string;
  readonly message: string;
  /** Overrides the rule's severity (e.g. warning outside prod). */
  readonly severity?: Severity;
}

export interface PolicyContext {
  readonly environment: Environment;
  readonly stacks: readonly RenderedStack[];
  readonly model: PolicyModel;
}

/** One rule: an id the platform team can cite, why it exists, how to fix a finding, and a pure check. */
export interface PolicyRule {
  /** Stable id, e.g. "CIOS-K8S-001". */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Why the rule exists. */
  readonly reason: string;
  /** What to change when it fires. */
  readonly fix: string;
  check(context: PolicyContext): RuleViolation[];
}

export interface PolicyFinding {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly resource: string;
  /** `<stack>:<address>`; comma-separated when the same resource has the same problem in several stacks (prod's standby). */
  readonly address: string;
  readonly message: string;
  readonly reason: string;
  readonly fix: string;
}

/** An accepted exception: names the rule and the resource, and says why in at least a sentence. */
export interface Suppression {
  readonly ruleId: string;
  readonly resource: string;
  readonly reason: string;
}

export interface SuppressedFinding extends PolicyFinding {
  readonly suppression: Suppression;
}

export interface PolicyReport {
  /** Findings not suppressed: errors fail the synth, warnings are printed. */
  readonly findings: PolicyFinding[];
  readonly suppressed: SuppressedFinding[];
  /** Suppressions that matched nothing: stale exceptions to delete. */
  readonly unusedSuppressions: Suppression[];
}
