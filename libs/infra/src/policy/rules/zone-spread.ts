import { blocks, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const zoneSpreadRule: PolicyRule = {
  id: 'CIOS-HA-004',
  title: 'Prod workloads spread over availability zones',
  severity: 'error',
  reason: 'Replicas packed in one zone all fail with it; spreading them keeps the service up through a zone outage.',
  fix: 'Add a topologySpreadConstraint on topology.kubernetes.io/zone (maxSkew 1) selecting the pods (the CIOS constructs do).',
  check({ model, environment }) {
    if (environment.kind !== 'prod') return [];
    const out: RuleViolation[] = [];
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      const spread = blocks(w.podSpec['topology_spread_constraint']).some(
        (c) => c['topology_key'] === 'topology.kubernetes.io/zone',
      );
      if (!spread) out.push(violationAt(w, 'no topology spread constraint over topology.kubernetes.io/zone'));
    }
    return out;
  },
};
