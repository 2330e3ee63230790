import { namespaceFor, publicHostFor, servicesIn, type Environment, type Platform, type Release } from '@cios/platform-spec';
import { autoscalingBounds } from './constructs/cios-service.js';
import { imageFor } from './images.js';
import type { PolicyReport } from './policy/types.js';
import type { RenderedStack } from './render.js';
import { replicasIn } from '@cios/platform-spec';

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A reviewer's page per environment: stacks, services, replicas, resources, hosts, findings, suppressions. */
export function renderSummary(
  platform: Platform,
  env: Environment,
  stacks: readonly RenderedStack[],
  report: PolicyReport,
  release: Release | undefined,
): string {
  const resourceCount = (s: RenderedStack) =>
    Object.values(s.config.resource ?? {}).reduce((n, byId) => n + Object.keys(byId).length, 0);
  const services = servicesIn(platform, env).map((s) => {
    const bounds = autoscalingBounds({ service: s, environment: env });
    const replicas = bounds ? `${bounds.min}–${bounds.max} (HPA)` : String(replicasIn(env, s.replicas));
    return [
      s.name,
      namespaceFor(env, s.tier),
      s.workload,
      replicas,
      `${s.resources.requests.cpu}/${s.resources.limits.cpu}`,
      `${s.resources.requests.memory}/${s.resources.limits.memory}`,
      publicHostFor(env, s) ?? '',
      `\`${imageFor(s, release).ref}\``,
    ];
  });
  const errors = report.findings.filter((f) => f.severity === 'error');
  const warnings = report.findings.filter((f) => f.severity === 'warning');
  const byRule = (list: typeof report.findings) => {
    const counts = new Map<string, number>();
    for (const f of list) counts.set(`${f.ruleId} ${f.title}`, (counts.get(`${f.ruleId} ${f.title}`) ?? 0) + 1);
    return [...counts].map(([rule, n]) => `- ${rule}: ${n}`);
  };
  return [
    `# ${env.name} (${env.kind})`,
    '',
    `Clusters: ${env.clusters.map((c) => `${c.name} (${c.role}, ${c.region}, context ${c.context})`).join('; ')}.`,
    `Backend: ${env.backend.type}. Approval required: ${env.requiresApproval ? 'yes' : 'no'}. Release: ${release ? `${release.id ?? 'unnamed'} at ${release.commit}` : 'none (render mode: images are `<repository>:unreleased`)'}.`,
    '',
    '## Stacks (apply in this order)',
    '',
    table(
      ['stack', 'cluster', 'resources'],
      stacks.map((s) => [s.name, s.cluster, String(resourceCount(s))]),
    ),
    '',
    '## Services',
    '',
    table(['service', 'namespace', 'workload', 'replicas', 'cpu req/limit', 'memory req/limit', 'public host', 'image'], services),
    '',
    '## Policy',
    '',
    `${errors.length} error(s), ${warnings.length} warning(s), ${report.suppressed.length} suppressed.`,
    ...(warnings.length > 0 ? ['', '### Warnings', '', ...byRule(warnings)] : []),
    ...(errors.length > 0 ? ['', '### Errors', '', ...errors.map((f) => `- ${f.ruleId} ${f.resource}: ${f.message}`)] : []),
    '',
    '### Suppressions',
    '',
    ...(report.suppressed.length === 0 && report.unusedSuppressions.length === 0
      ? ['None.']
      : [
          ...report.suppressed.map((f) => `- ${f.ruleId} ${f.resource}: ${f.message} — suppressed because: ${f.suppression.reason}`),
          ...report.unusedSuppressions.map((s) => `- UNUSED ${s.ruleId} ${s.resource} (matches nothing; delete it): ${s.reason}`),
        ]),
    '',
  ].join('\n');
}
