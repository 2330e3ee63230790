import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const hpaRule: PolicyRule = {
  id: 'CIOS-HA-002',
  title: 'Every stateless prod workload has a HorizontalPodAutoscaler',
  severity: 'error',
  reason: 'Prod traffic varies by hour and by intake season; fixed replicas either waste money or miss the p95 200 ms target under load.',
  fix: 'Declare autoscaling (minReplicas, maxReplicas, cpuTargetPercent) for the service in the catalog.',
  check({ model, environment }) {
    if (environment.kind !== 'prod') return [];
    const out: RuleViolation[] = [];
    for (const w of model.workloads.filter((x) => x.kind === 'Deployment')) {
      if (!model.hpaFor(w)) out.push(violationAt(w, 'stateless prod workload without a HorizontalPodAutoscaler'));
    }
    return out;
  },
};
