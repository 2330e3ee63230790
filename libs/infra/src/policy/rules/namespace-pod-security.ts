import { privilegedNamespaces } from '../../pod-security.js';
import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

const PSA = 'pod-security.kubernetes.io';
const LEVELS: readonly string[] = ['restricted', 'baseline', 'privileged'];
/** Audit and warn must stay at least this strict, so what a weaker namespace admits shows up in audit logs and warnings. */
const VISIBLE_LEVELS: readonly string[] = ['restricted', 'baseline'];

/**
 * The namespace side of Pod Security: CIOS-K8S-001 checks the pods CIOS renders, this rule the level each
 * namespace enforces on every pod, including those installed from charts (ingress controller, monitoring).
 */
export const namespacePodSecurityRule: PolicyRule = {
  id: 'CIOS-PSA-001',
  title: 'Namespaces enforce a Pod Security level, privileged only where the platform grants it with a reason',
  severity: 'error',
  reason:
    'A namespace enforcing no Pod Security level, or "privileged", admits pods using the host\'s network, processes and filesystem: a breach there is a breach of the node and of every tenant on it.',
  fix: 'Enforce "restricted" (CiosNamespace\'s default), or "baseline" for chart-installed software that needs it, with audit and warn at "restricted" or "baseline". "privileged" is accepted only on the namespaces privilegedNamespaces() (src/pod-security.ts) lists with their reason: the node exporter\'s.',
  check({ model, environment }) {
    const allowed = privilegedNamespaces(environment);
    const out: RuleViolation[] = [];
    for (const ns of model.byKind('Namespace')) {
      const problems: string[] = [];
      const enforce = ns.labels[`${PSA}/enforce`];
      if (enforce === undefined) {
        problems.push(`enforces no Pod Security level (${PSA}/enforce is missing, so the cluster's default, usually privileged, applies)`);
      } else if (!LEVELS.includes(enforce)) {
        problems.push(`${PSA}/enforce is "${enforce}", not a Pod Security level (${LEVELS.join(', ')})`);
      } else if (enforce === 'privileged' && !allowed.has(ns.name)) {
        problems.push(`enforces Pod Security "privileged"; only ${[...allowed.keys()].join(', ')} may, for host-level agents`);
      }
      for (const mode of ['audit', 'warn']) {
        const level = ns.labels[`${PSA}/${mode}`];
        if (level === undefined || !VISIBLE_LEVELS.includes(level)) {
          problems.push(`${PSA}/${mode} is ${level === undefined ? 'missing' : `"${level}"`}; keep it "restricted" or "baseline" so weaker pods are reported`);
        }
      }
      if (problems.length > 0) out.push(violationAt(ns, problems.join('; ')));
    }
    return out;
  },
};
