import { CANADIAN_REGIONS } from '@cios/platform-spec';
import { block, blocks, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

const CANADA: ReadonlySet<string> = new Set(CANADIAN_REGIONS);

/**
 * Data residency, checked on the output as well as the spec: clusters, state storage and every
 * workload's node affinity must name Canadian regions only.
 */
export const regionRule: PolicyRule = {
  id: 'CIOS-DATA-001',
  title: 'Canadian regions only',
  severity: 'error',
  reason: "CIOS holds immigration files of consultants' clients; they must stay in Canada (PIPEDA commitments to clients, provincial rules).",
  fix: `Use a Canadian region (${CANADIAN_REGIONS.join(', ')}) for clusters, state and node affinity.`,
  check({ model, environment, stacks }) {
    const out: RuleViolation[] = [];
    for (const cluster of environment.clusters) {
      if (!CANADA.has(cluster.region)) {
        out.push({ resource: `Cluster/${cluster.name}`, address: `environment:${environment.name}.clusters`, message: `cluster region "${cluster.region}" is outside Canada` });
      }
    }
    for (const stack of stacks) {
      const s3 = block(stack.config.terraform?.backend?.['s3']);
      if (s3 && !CANADA.has(String(s3['region']))) {
        out.push({ resource: `Backend/${stack.name}`, address: `${stack.name}:terraform.backend.s3`, message: `state is stored in region "${String(s3['region'])}", outside Canada` });
      }
    }
    for (const w of model.workloads) {
      const terms = blocks(
        block(block(block(w.podSpec['affinity'])?.['node_affinity'])?.['required_during_scheduling_ignored_during_execution'])?.[
          'node_selector_term'
        ],
      );
      const regions = terms.flatMap((t) =>
        blocks(t['match_expressions'])
          .filter((e) => e['key'] === 'topology.kubernetes.io/region' && e['operator'] === 'In')
          .flatMap((e) => (Array.isArray(e['values']) ? e['values'].map(String) : [])),
      );
      if (w.kind === 'CronJob') continue;
      if (regions.length === 0) out.push(violationAt(w, 'pods are not pinned to a Canadian region (no required node affinity on topology.kubernetes.io/region)'));
      const foreign = regions.filter((r) => !CANADA.has(r));
      if (foreign.length > 0) out.push(violationAt(w, `pods may be scheduled in ${foreign.join(', ')}, outside Canada`));
    }
    return out;
  },
};
