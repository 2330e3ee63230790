import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const replicasRule: PolicyRule = {
  id: 'CIOS-HA-003',
  title: 'Prod workloads run at least 2 replicas',
  severity: 'error',
  reason: 'One replica is one point of failure: every deploy, eviction or node loss becomes an outage against the 99.9 % target.',
  fix: 'Set replicas.prod ≥ 2 (and autoscaling.minReplicas ≥ 2) for the service.',
  check({ model, environment }) {
    if (environment.kind !== 'prod') return [];
    const out: RuleViolation[] = [];
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      const n = model.effectiveReplicas(w);
      if (n < 2) out.push(violationAt(w, `runs ${n} replica${n === 1 ? '' : 's'} in prod`));
    }
    return out;
  },
};
