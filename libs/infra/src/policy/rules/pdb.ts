import { SelectorIndex, block, scopeKey, stringRecord, violationAt, type K8sObject } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const pdbRule: PolicyRule = {
  id: 'CIOS-HA-001',
  title: 'Every multi-replica workload has a PodDisruptionBudget',
  severity: 'error',
  reason: 'Node drains and cluster upgrades evict pods; without a PDB they may evict every replica at once.',
  fix: 'Give the workload a PodDisruptionBudget selecting its pods (the CIOS constructs add one when replicas ≥ 2).',
  check({ model }) {
    const pdbs = new SelectorIndex<K8sObject>();
    for (const p of model.byKind('PodDisruptionBudget')) {
      pdbs.add(scopeKey(p.stack, p.namespace), stringRecord(block(block(p.body['spec'])?.['selector'])?.['match_labels']), p);
    }
    const out: RuleViolation[] = [];
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      if (model.effectiveReplicas(w) < 2) continue;
      const covered = pdbs.matching(scopeKey(w.stack, w.namespace), w.podLabels).length > 0;
      if (!covered) out.push(violationAt(w, `${model.effectiveReplicas(w)} replicas but no PodDisruptionBudget selects its pods`));
    }
    return out;
  },
};
