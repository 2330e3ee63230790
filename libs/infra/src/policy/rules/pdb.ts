import { block, selects, stringRecord, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const pdbRule: PolicyRule = {
  id: 'CIOS-HA-001',
  title: 'Every multi-replica workload has a PodDisruptionBudget',
  severity: 'error',
  reason: 'Node drains and cluster upgrades evict pods; without a PDB they may evict every replica at once.',
  fix: 'Give the workload a PodDisruptionBudget selecting its pods (the CIOS constructs add one when replicas ≥ 2).',
  check({ model }) {
    const pdbs = model.byKind('PodDisruptionBudget');
    const out: RuleViolation[] = [];
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      if (model.effectiveReplicas(w) < 2) continue;
      const covered = pdbs.some(
        (p) =>
          p.stack === w.stack &&
          p.namespace === w.namespace &&
          selects(stringRecord(block(block(p.body['spec'])?.['selector'])?.['match_labels']), w.podLabels),
      );
      if (!covered) out.push(violationAt(w, `${model.effectiveReplicas(w)} replicas but no PodDisruptionBudget selects its pods`));
    }
    return out;
  },
};
