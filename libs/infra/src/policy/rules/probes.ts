import { blocks, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const probesRule: PolicyRule = {
  id: 'CIOS-K8S-003',
  title: 'Long-running containers have liveness, readiness and startup probes',
  severity: 'error',
  reason: 'Without readiness a rollout sends traffic to pods that are not ready; without liveness a hung process is never restarted; without startup slow boots get killed.',
  fix: 'Declare health.liveness and health.readiness (and health.startup for slow starters) for the service.',
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const w of model.workloads.filter((x) => x.kind !== 'CronJob')) {
      // Init containers run to completion before the others start and Kubernetes refuses probes on them,
      // unless they are sidecars (restartPolicy Always), which run as long as the pod.
      const longRunning = [
        ...blocks(w.podSpec['init_container']).filter((c) => c['restart_policy'] === 'Always'),
        ...blocks(w.podSpec['container']),
      ];
      for (const c of longRunning) {
        const missing = ['liveness_probe', 'readiness_probe', 'startup_probe'].filter((p) => c[p] === undefined);
        if (missing.length > 0) out.push(violationAt(w, `container ${String(c['name'])} has no ${missing.join(', ')}`));
      }
    }
    return out;
  },
};
