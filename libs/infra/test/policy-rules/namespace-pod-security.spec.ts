import { describe, expect, it } from 'vitest';
import { platform as catalog } from '@cios/catalog';
import type { Platform } from '@cios/platform-spec';
import { POLICY_RULES, checkPolicy, renderStacks, type PolicyFinding, type RenderedStack } from '../../src/index.js';
import { namespacePodSecurityRule } from '../../src/policy/rules/namespace-pod-security.js';
import { digestRelease, envOf, smallPlatform } from '../fixtures.js';
import { resourcesOf, type Namespace } from '../terraform-json.js';

const small = smallPlatform();
const PSA = 'pod-security.kubernetes.io';

/** Every Namespace resource of the rendered stacks, to edit in place. */
function namespaces(stacks: RenderedStack[]): Namespace[] {
  return stacks.flatMap((s) => Object.values(resourcesOf(s.config, 'kubernetes_namespace_v1')));
}

/** Every stack of `envName`, as rendered (a copy, free to edit). */
function render(envName: string, platform: Platform = small): RenderedStack[] {
  return structuredClone(renderStacks({ platform, environment: envOf(platform, envName), release: digestRelease(platform, envName) }));
}

/** This rule's findings over every stack of `envName`, after `edit` when given. */
function findings(envName: string, edit?: (stacks: RenderedStack[]) => void, platform: Platform = small): PolicyFinding[] {
  const stacks = render(envName, platform);
  edit?.(stacks);
  return checkPolicy({ environment: envOf(platform, envName), stacks }).findings.filter((f) => f.ruleId === namespacePodSecurityRule.id);
}

const labelled = (name: string, key: string, value: string | undefined) => (stacks: RenderedStack[]) => {
  const found = namespaces(stacks).filter((n) => n.metadata.name === name);
  expect(found.length, name).toBeGreaterThan(0);
  for (const ns of found) {
    if (value === undefined) delete ns.metadata.labels[key];
    else ns.metadata.labels[key] = value;
  }
};

describe(`${namespacePodSecurityRule.id}: ${namespacePodSecurityRule.title}`, () => {
  it('is registered, so every synth runs it', () => {
    expect(POLICY_RULES).toContain(namespacePodSecurityRule);
  });

  it("passes every namespace as rendered, the node exporter's privileged one included, in every environment of the catalog", () => {
    for (const env of catalog.environments) {
      expect(findings(env.name, undefined, catalog), env.name).toEqual([]);
    }
    // There was a privileged namespace to accept: prod renders one on each cluster (Toronto, Montreal's standby).
    const privileged = namespaces(render('prod', catalog)).filter((n) => n.metadata.labels[`${PSA}/enforce`] === 'privileged');
    expect(privileged.map((n) => n.metadata.name)).toEqual(['prod-monitoring-node', 'prod-monitoring-node']);
  });

  it('refuses privileged on every other namespace of the environment, naming the one exception', () => {
    const others = namespaces(render('prod'))
      .map((n) => n.metadata.name)
      .filter((name) => name !== 'prod-monitoring-node');
    expect(new Set(others)).toEqual(new Set(['prod-core', 'prod-data', 'prod-edge', 'prod-monitoring', 'ingress-nginx']));
    for (const name of new Set(others)) {
      const found = findings('prod', labelled(name, `${PSA}/enforce`, 'privileged'));
      expect(found.length, name).toBeGreaterThan(0);
      for (const f of found) {
        expect(f).toMatchObject({
          severity: 'error',
          resource: `Namespace/${name}`,
          message: 'enforces Pod Security "privileged"; only prod-monitoring-node may, for host-level agents',
        });
      }
    }
  });

  it("holds the exception to its own environment: another environment's node-exporter namespace is not privileged here", () => {
    const found = findings('prod', (stacks) => {
      for (const ns of namespaces(stacks)) if (ns.metadata.name === 'prod-monitoring-node') ns.metadata.name = 'staging-monitoring-node';
    });
    // Primary and standby both render it: one finding, at both stacks.
    expect(found.map((f) => f.resource)).toEqual(['Namespace/staging-monitoring-node']);
    expect(found[0]?.address.split(', ')).toHaveLength(2);
  });

  it('takes a suppression for one named namespace, and only that one', () => {
    const environment = envOf(small, 'dev');
    const stacks = render('dev');
    for (const name of ['dev-core', 'dev-edge']) labelled(name, `${PSA}/enforce`, 'privileged')(stacks);
    const suppression = { ruleId: namespacePodSecurityRule.id, resource: 'Namespace/dev-core', reason: 'A test of the suppression path for one namespace.' };
    const report = checkPolicy({ environment, stacks, suppressions: [suppression] });
    expect(report.suppressed.map((f) => f.resource)).toEqual(['Namespace/dev-core']);
    expect(report.findings.filter((f) => f.ruleId === namespacePodSecurityRule.id).map((f) => f.resource)).toEqual(['Namespace/dev-edge']);
  });

  it('refuses a namespace enforcing no level or an unknown one', () => {
    expect(findings('dev', labelled('dev-core', `${PSA}/enforce`, undefined)).map((f) => f.message)).toEqual([
      `enforces no Pod Security level (${PSA}/enforce is missing, so the cluster's default, usually privileged, applies)`,
    ]);
    expect(findings('dev', labelled('dev-core', `${PSA}/enforce`, 'strict')).map((f) => f.message)).toEqual([
      `${PSA}/enforce is "strict", not a Pod Security level (restricted, baseline, privileged)`,
    ]);
  });

  it('refuses audit or warn weakened to privileged or dropped, the privileged namespace included', () => {
    const found = findings('dev', (stacks) => {
      labelled('dev-monitoring-node', `${PSA}/audit`, 'privileged')(stacks);
      labelled('dev-monitoring-node', `${PSA}/warn`, undefined)(stacks);
    });
    expect(found).toEqual([
      expect.objectContaining({
        resource: 'Namespace/dev-monitoring-node',
        message:
          `${PSA}/audit is "privileged"; keep it "restricted" or "baseline" so weaker pods are reported; ` +
          `${PSA}/warn is missing; keep it "restricted" or "baseline" so weaker pods are reported`,
      }),
    ]);
    // baseline is as far as audit and warn may go.
    expect(findings('dev', labelled('dev-core', `${PSA}/audit`, 'baseline'))).toEqual([]);
  });
});
