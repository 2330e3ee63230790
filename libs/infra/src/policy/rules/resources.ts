import { block, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const resourcesRule: PolicyRule = {
  id: 'CIOS-K8S-002',
  title: 'Every container has CPU and memory requests and limits',
  severity: 'error',
  reason: 'Without requests the scheduler overcommits nodes and the HPA cannot compute utilisation; without limits one tenant starves the others.',
  fix: 'Declare resources.requests and resources.limits (cpu and memory) for the service in the catalog.',
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const w of model.workloads) {
      for (const c of w.containers) {
        const res = block(c['resources']) ?? {};
        const missing = ['requests', 'limits'].flatMap((k) =>
          ['cpu', 'memory'].filter((r) => typeof block(res[k])?.[r] !== 'string').map((r) => `${k}.${r}`),
        );
        if (missing.length > 0) out.push(violationAt(w, `container ${String(c['name'])} has no ${missing.join(', ')}`));
      }
    }
    return out;
  },
};
