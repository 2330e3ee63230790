import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '@nx/devkit';
import type * as InfraModule from '@cios/infra';
import type { Environment, Platform, Release } from '@cios/platform-spec';
import { addPolicyRule } from '../src/generators/policy-rule/generator.js';
import type { PolicyRuleGeneratorSchema } from '../src/generators/policy-rule/schema.js';
import { defined, materialize, readText, runProjectTests, workspaceTree } from './workspace-tree.js';

const REGISTRY = 'libs/infra/src/policy/registry.ts';
const tree = (): Tree => workspaceTree(['libs/infra/src', 'libs/infra/test/fixtures.ts']);

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function refusal(options: PolicyRuleGeneratorSchema, t: Tree = tree()): string {
  const snapshot = () => JSON.stringify(t.listChanges().map((c) => [c.path, c.content?.toString('utf-8')]));
  const before = snapshot();
  let message = '';
  expect(() => {
    try {
      addPolicyRule(t, options);
    } catch (error) {
      message = (error as Error).message;
      throw error;
    }
  }).toThrow();
  expect(snapshot(), 'nothing is written').toBe(before);
  return message;
}

type Infra = typeof InfraModule;
interface Fixtures {
  smallPlatform(): Platform;
  envOf(platform: Platform, name: string): Environment;
  digestRelease(platform: Platform): Release;
}

describe('policy-rule generator', () => {
  it('writes the rule, registers it and adds its spec; the rule passes compliant stacks and fails a broken one', async () => {
    const t = tree();
    const result = addPolicyRule(t, { name: 'require-owner-label', label: 'app.kubernetes.io/managed-by', severity: 'error' });
    expect(result.ruleFile).toBe('libs/infra/src/policy/rules/require-owner-label.ts');
    expect(result.testFile).toBe('libs/infra/test/policy-rules/require-owner-label.spec.ts');
    expect(result.template).toMatchObject({ id: 'CIOS-K8S-005', exportName: 'requireOwnerLabelRule', kind: 'Deployment' });
    const registry = readText(t, REGISTRY);
    expect(registry).toContain("import { requireOwnerLabelRule } from './rules/require-owner-label.js';");
    expect(registry).toMatch(/ {2}requireOwnerLabelRule,\n\];/);
    const spec = readText(t, result.testFile);
    expect(spec).toContain("from '../fixtures.js'");
    expect(spec).toContain('expect(found).toHaveLength(1)');

    // Run the generated code: import the tree's infra and apply the rule the way its spec does.
    const copy = materialize(t, 'libs/infra');
    cleanups.push(copy.cleanup);
    const infra = (await import(`${copy.root}/libs/infra/src/index.ts`)) as Infra;
    const fixtures = (await import(`${copy.root}/libs/infra/test/fixtures.ts`)) as Fixtures;
    const rule = infra.POLICY_RULES.find((r) => r.id === 'CIOS-K8S-005');
    expect(rule?.title).toBe('Every Deployment carries the app.kubernetes.io/managed-by label');
    const platform = fixtures.smallPlatform();
    const prod = fixtures.envOf(platform, 'prod');
    const stacks = infra.renderStacks({ platform, environment: prod, release: fixtures.digestRelease(platform) });
    const mine = () => infra.checkPolicy({ environment: prod, stacks }).findings.filter((f) => f.ruleId === 'CIOS-K8S-005');
    expect(mine()).toEqual([]);
    const target = defined(infra.buildModel(stacks).byKind('Deployment')[0], 'a Deployment');
    const metadata = (Array.isArray(target.body['metadata']) ? target.body['metadata'][0] : target.body['metadata']) as Record<string, Record<string, string>>;
    delete defined(metadata['labels'], 'labels')['app.kubernetes.io/managed-by'];
    expect(mine()).toEqual([
      expect.objectContaining({ severity: 'error', resource: target.resource, message: 'has no app.kubernetes.io/managed-by label' }),
    ]);
  });

  it("the documented example's generated spec passes when run (require-owner-label --label=cios.ca/owner --kind=Deployment)", () => {
    // The test platform sets no cios.ca/owner: the generated spec must make its compliant case compliant itself.
    const t = workspaceTree(['libs/infra/src', 'libs/infra/test/fixtures.ts', 'libs/infra/vitest.config.ts']);
    const result = addPolicyRule(t, { name: 'require-owner-label', label: 'cios.ca/owner', kind: 'Deployment' });
    const copy = materialize(t, 'libs/infra');
    cleanups.push(copy.cleanup);
    const run = runProjectTests(copy.root, 'libs/infra', [result.testFile.replace('libs/infra/', '')]);
    expect(run.ok, run.output).toBe(true);
    expect(run.output).toMatch(/3 passed/);
  }, 300_000);

  it('numbers ids per category and takes an explicit one', () => {
    const t = tree();
    expect(addPolicyRule(t, { name: 'net-a', category: 'NET', kind: 'NetworkPolicy' }).template.id).toBe('CIOS-NET-002');
    expect(addPolicyRule(t, { name: 'net-b', category: 'NET' }).template.id).toBe('CIOS-NET-003');
    expect(addPolicyRule(t, { name: 'cost-a', category: 'COST' }).template.id).toBe('CIOS-COST-001');
    expect(addPolicyRule(t, { name: 'explicit', id: 'CIOS-K8S-042' }).template.id).toBe('CIOS-K8S-042');
  });
});

describe('policy-rule generator refuses bad input with a clear error, writing nothing', () => {
  it('an invalid name', () => {
    expect(refusal({ name: 'RequireOwner' })).toBe('invalid rule name "RequireOwner": use kebab-case letters and digits, such as "require-owner-label"');
  });

  it('an existing rule file', () => {
    expect(refusal({ name: 'pdb' })).toBe('rule "pdb" already exists (libs/infra/src/policy/rules/pdb.ts); pick another name');
  });

  it('an id already in use', () => {
    expect(refusal({ name: 'another-pdb', id: 'CIOS-HA-001' })).toBe(
      'rule id CIOS-HA-001 is already used by libs/infra/src/policy/rules/pdb.ts; ids are cited in suppressions and must stay unique',
    );
  });

  it('a reason too short to help anyone, a bad severity', () => {
    expect(refusal({ name: 'short', reason: 'because' })).toBe('reason must be a sentence of at least 21 characters, got "because"');
    expect(refusal({ name: 'sev', severity: 'fatal' })).toBe('invalid severity "fatal": error or warning');
  });
});
