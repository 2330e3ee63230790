import { block, blocks, selects, stringRecord, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const networkPolicyRule: PolicyRule = {
  id: 'CIOS-NET-001',
  title: 'Every namespace denies by default and every workload has its own NetworkPolicy',
  severity: 'error',
  reason: 'Kubernetes lets every pod reach every other by default; one compromised pod could then read every database of every tenant.',
  fix: 'Keep the default-deny policy in each namespace and a per-workload policy admitting only its callers (dependsOn), ingress and monitoring.',
  check({ model }) {
    const policies = model.byKind('NetworkPolicy').map((p) => {
      const spec = block(p.body['spec']) ?? {};
      const selector = stringRecord(block(spec['pod_selector'])?.['match_labels']);
      return { policy: p, selector, denyAll: Object.keys(selector).length === 0 && blocks(spec['ingress']).length === 0 };
    });
    const out: RuleViolation[] = [];
    for (const ns of model.byKind('Namespace')) {
      if (!policies.some((p) => p.policy.namespace === ns.name && p.denyAll)) {
        out.push(violationAt(ns, 'no default-deny NetworkPolicy in the namespace'));
      }
    }
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      const own = policies.some(
        (p) => !p.denyAll && p.policy.namespace === w.namespace && Object.keys(p.selector).length > 0 && selects(p.selector, w.podLabels),
      );
      if (!own) out.push(violationAt(w, 'no NetworkPolicy selects its pods; traffic to it is unaccounted for'));
    }
    return out;
  },
};
