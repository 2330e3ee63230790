import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const serviceAccountTokenRule: PolicyRule = {
  id: 'CIOS-K8S-004',
  title: 'Service account tokens are not mounted unless needed',
  severity: 'warning',
  reason: 'A mounted token lets anyone who breaks into the pod call the Kubernetes API as the pod.',
  fix: 'Leave automountServiceAccountToken false unless the service talks to the Kubernetes API (then grant it a minimal Role).',
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const w of model.workloads) {
      if (w.podSpec['automount_service_account_token'] !== false) out.push(violationAt(w, 'the pod mounts its service account token'));
    }
    return out;
  },
};
