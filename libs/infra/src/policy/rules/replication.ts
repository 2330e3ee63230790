import { POD_NAME_LABEL, REPLICATION_ANNOTATION } from '../../labels.js';
import { block, scopeKey, stringRecord, selects, violationAt, type K8sObject } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const replicationRule: PolicyRule = {
  id: 'CIOS-DATA-003',
  title: 'A multi-replica stateful store replicates from one primary, and its clients reach that primary',
  severity: 'error',
  reason:
    'Replicas that do not replicate are independent databases behind one Service: each write lands on whichever pod answers, reads miss it on the others, and a backup saves one of them at random.',
  fix: 'Declare replication (engine postgres, redis or qdrant) for the stateful service, or run it with one replica; a single-primary store\'s client Service selects statefulset.kubernetes.io/pod-name of the primary.',
  check({ model }) {
    const out: RuleViolation[] = [];
    // Non-headless Services by stack and namespace: apps connect through these.
    const services = new Map<string, K8sObject[]>();
    for (const s of model.byKind('Service')) {
      if (block(s.body['spec'])?.['cluster_ip'] === 'None') continue;
      const key = scopeKey(s.stack, s.namespace);
      services.set(key, [...(services.get(key) ?? []), s]);
    }
    for (const w of model.workloads.filter((x) => x.kind === 'StatefulSet')) {
      const replicas = model.effectiveReplicas(w);
      if (replicas < 2) continue;
      const mode = stringRecord(block(w.body['metadata'])?.['annotations'])[REPLICATION_ANNOTATION];
      if (mode === undefined) {
        out.push(violationAt(w, `runs ${replicas} replicas that do not replicate (no ${REPLICATION_ANNOTATION}): ${replicas} independent databases`));
        continue;
      }
      if (mode !== 'primary') continue;
      for (const s of services.get(scopeKey(w.stack, w.namespace)) ?? []) {
        const selector = stringRecord(block(s.body['spec'])?.['selector']);
        if (Object.keys(selector).length === 0 || POD_NAME_LABEL in selector) continue;
        if (!selects(selector, w.podLabels)) continue;
        out.push(violationAt(s, `spreads connections over all ${replicas} pods of StatefulSet ${w.name}, whose replicas are read-only followers: select ${POD_NAME_LABEL} of its primary`));
      }
    }
    return out;
  },
};
