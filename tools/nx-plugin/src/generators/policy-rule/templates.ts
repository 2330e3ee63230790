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

/** This rule's findings in prod, after \`mutate\` breaks the rendered stacks. */
function findings(mutate?: (stacks: RenderedStack[]) => void): PolicyFinding[] {
  const stacks = structuredClone(renderStacks({ platform, environment: prod, release: digestRelease(platform) }));
  mutate?.(stacks);
  return checkPolicy({ environment: prod, stacks }).findings.filter((f) => f.ruleId === ${t.exportName}.id);
}

describe(\`\${${t.exportName}.id}: \${${t.exportName}.title}\`, () => {
  it('is registered, so every synth runs it', () => {
    expect(POLICY_RULES).toContain(${t.exportName});
  });

  it('passes the compliant test platform', () => {
    expect(findings()).toEqual([]);
  });

  it('fails a ${t.kind} without the label, naming it', () => {
    let broken = '';
    const found = findings((stacks) => {
      const target = buildModel(stacks).byKind(${quote(t.kind)})[0];
      if (!target) throw new Error('the test platform renders no ${t.kind}');
      broken = target.resource;
      const metadata = (Array.isArray(target.body['metadata']) ? target.body['metadata'][0] : target.body['metadata']) as Json;
      delete (metadata['labels'] as Json)[${quote(t.label)}];
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: ${quote(t.severity)}, resource: broken, message: ${quote(`has no ${t.label} label`)} });
  });
});
`;
}
