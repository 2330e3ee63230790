import { SelectorIndex, block, blocks, scopeKey, stringRecord, violationAt, type K8sObject } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const networkPolicyRule: PolicyRule = {
  id: 'CIOS-NET-001',
  title: 'Every namespace denies by default and every workload has its own NetworkPolicy',
  severity: 'error',
  reason: 'Kubernetes lets every pod reach every other by default; one compromised pod could then read every database of every tenant.',
  fix: 'Keep the default-deny policy in each namespace and a per-workload policy admitting only its callers (dependsOn), ingress and monitoring.',
  check({ model }) {
    // Namespaces holding a deny-all policy, and per-workload policies (non-empty selector) by namespace.
    const denyAll = new Set<string>();
    const own = new SelectorIndex<K8sObject>();
    for (const p of model.byKind('NetworkPolicy')) {
      const spec = block(p.body['spec']) ?? {};
      const selector = stringRecord(block(spec['pod_selector'])?.['match_labels']);
      const empty = Object.keys(selector).length === 0;
      if (empty && blocks(spec['ingress']).length === 0) denyAll.add(scopeKey(p.namespace));
      else if (!empty) own.add(scopeKey(p.namespace), selector, p);
    }
    const out: RuleViolation[] = [];
    for (const ns of model.byKind('Namespace')) {
      if (!denyAll.has(scopeKey(ns.name))) {
        out.push(violationAt(ns, 'no default-deny NetworkPolicy in the namespace'));
      }
    }
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      const covered = own.matching(scopeKey(w.namespace), w.podLabels).length > 0;
      if (!covered) out.push(violationAt(w, 'no NetworkPolicy selects its pods; traffic to it is unaccounted for'));
    }
    return out;
  },
};
