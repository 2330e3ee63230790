/** Everything the templates need, already validated. */
export interface RuleTemplate {
  readonly fileName: string;
  readonly exportName: string;
  readonly id: string;
  readonly title: string;
  readonly severity: 'error' | 'warning';
  readonly kind: string;
  readonly label: string;
  readonly reason: string;
  readonly fix: string;
}

const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The rule: a pure check over the policy model, like every rule in the registry. */
export function ruleSource(t: RuleTemplate): string {
  return `import { violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

/** The label the check requires; scaffolded by \`nx g @cios/nx-plugin:policy-rule\`. */
const REQUIRED_LABEL = ${quote(t.label)};

export const ${t.exportName}: PolicyRule = {
  id: ${quote(t.id)},
  title: ${quote(t.title)},
  severity: ${quote(t.severity)},
  reason: ${quote(t.reason)},
  fix: ${quote(t.fix)},
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const object of model.byKind(${quote(t.kind)})) {
      if (!object.labels[REQUIRED_LABEL]) out.push(violationAt(object, \`has no \${REQUIRED_LABEL} label\`));
    }
    return out;
  },
};
`;
}

/** The rule's spec: the compliant platform passes, and the failing spec breaks one object. */
export function ruleSpecSource(t: RuleTemplate): string {
  return `import { describe, expect, it } from 'vitest';
import { POLICY_RULES, buildModel, checkPolicy, renderStacks, type PolicyFinding, type RenderedStack } from '../../src/index.js';
import { ${t.exportName} } from '../../src/policy/rules/${t.fileName}.js';
import { digestRelease, envOf, smallPlatform } from '../fixtures.js';

type Json = Record<string, unknown>;

const platform = smallPlatform();
const prod = envOf(platform, 'prod');

/** The labels block of an object's metadata (cdktf renders a block as an object or a one-element list). */
function labelsOf(body: Json): Json {
  const metadata = (Array.isArray(body['metadata']) ? body['metadata'][0] : body['metadata']) as Json;
  metadata['labels'] ??= {};
  return metadata['labels'] as Json;
}

/**
 * The stacks as they will be once the catalog complies: every ${t.kind} carries the label. The test platform
 * predates the rule, so without this its "compliant" case would already have findings.
 */
function compliant(stacks: RenderedStack[]): void {
  for (const object of buildModel(stacks).byKind(${quote(t.kind)})) labelsOf(object.body)[${quote(t.label)}] ??= 'set-by-the-test';
}

/** This rule's findings in prod on compliant stacks, after \`mutate\` breaks them. */
function findings(mutate?: (stacks: RenderedStack[]) => void): PolicyFinding[] {
  const stacks = structuredClone(renderStacks({ platform, environment: prod, release: digestRelease(platform) }));
  compliant(stacks);
  mutate?.(stacks);
  return checkPolicy({ environment: prod, stacks }).findings.filter((f) => f.ruleId === ${t.exportName}.id);
}

describe(\`\${${t.exportName}.id}: \${${t.exportName}.title}\`, () => {
  it('is registered, so every synth runs it', () => {
    expect(POLICY_RULES).toContain(${t.exportName});
  });

  it('passes stacks where every ${t.kind} carries the label', () => {
    expect(findings()).toEqual([]);
  });

  it('fails a ${t.kind} without the label, naming it', () => {
    let broken = '';
    const found = findings((stacks) => {
      const target = buildModel(stacks).byKind(${quote(t.kind)})[0];
      if (!target) throw new Error('the test platform renders no ${t.kind}');
      broken = target.resource;
      delete labelsOf(target.body)[${quote(t.label)}];
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: ${quote(t.severity)}, resource: broken, message: ${quote(`has no ${t.label} label`)} });
  });
});
`;
}
