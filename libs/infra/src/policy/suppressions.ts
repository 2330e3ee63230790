import type { PolicyRule, Suppression } from './types.js';

/** A reason must be a real sentence: long enough to say why, and ending like one. */
export const MIN_REASON_LENGTH = 20;

export class SuppressionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`suppressions refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SuppressionError';
  }
}

/** Refuses suppressions of unknown rules, without a resource, or without a sentence of reason. */
export function validateSuppressions(suppressions: readonly Suppression[], rules: readonly PolicyRule[]): Suppression[] {
  const ids = new Set(rules.map((r) => r.id));
  const problems: string[] = [];
  suppressions.forEach((s, i) => {
    const at = `suppressions[${i}]`;
    if (!ids.has(s.ruleId)) problems.push(`${at}.ruleId: "${s.ruleId}" is not a policy rule (known: ${[...ids].join(', ')})`);
    if (!s.resource || s.resource.includes('*')) {
      problems.push(`${at}.resource: must name one resource as <Kind>/<namespace>/<name>, no wildcards`);
    }
    const reason = (s.reason ?? '').trim();
    if (reason.length < MIN_REASON_LENGTH || !/[.!?]$/.test(reason)) {
      problems.push(
        `${at}.reason: "${reason}" is not a reason; write at least a sentence (${MIN_REASON_LENGTH}+ characters, ending with a full stop) saying why the exception is safe`,
      );
    }
  });
  if (problems.length > 0) throw new SuppressionError(problems);
  return [...suppressions];
}
