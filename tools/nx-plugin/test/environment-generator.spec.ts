import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '@nx/devkit';
import type * as CatalogModule from '@cios/catalog';
import { namespaceFor, monitoringNamespaceFor, primaryCluster, publicHostFor } from '@cios/platform-spec';
import { addEnvironment } from '../src/generators/environment/generator.js';
import { inferTargets } from '../src/index.js';
import { PLUGIN_ENTRY, addPluginEnvironment } from '../src/utils/plugin-environments.js';
import type { EnvironmentGeneratorSchema } from '../src/generators/environment/schema.js';
import { defined, materialize, readText, runProjectTests, workspaceTree } from './workspace-tree.js';

const FILE = 'libs/catalog/src/environments.ts';
const tree = (): Tree => workspaceTree(['nx.json', 'libs/catalog/src']);

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function refusal(options: EnvironmentGeneratorSchema): Promise<string> {
  const t = tree();
  const before = JSON.stringify(t.listChanges().map((c) => [c.path, c.content?.toString('utf-8')]));
  const error = await addEnvironment(t, options).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'expected the generator to refuse').toBeInstanceOf(Error);
  expect(JSON.stringify(t.listChanges().map((c) => [c.path, c.content?.toString('utf-8')])), 'nothing is written').toBe(before);
  return defined(error, 'a refusal').message;
}

describe('environment generator', () => {
  it('adds a staging-like environment with namespaces, region, backend, approval policy and Prometheus URL', async () => {
    const t = tree();
    const { environment, variable } = await addEnvironment(t, { name: 'qa', kind: 'staging', region: 'canadaeast', domain: 'qa.cios.ca' });
    expect(variable).toBe('qa');
    expect(environment).toMatchObject({
      name: 'qa',
      kind: 'staging',
      requiresApproval: false,
      backend: { type: 'kubernetes', secretSuffix: 'cios-qa', namespace: 'kube-system', configContext: 'cios-qa' },
      prometheusUrl: 'http://prometheus.qa-monitoring.svc:9090',
      domain: 'qa.cios.ca',
    });
    expect(primaryCluster(environment)).toEqual({ name: 'qa-quebec', context: 'cios-qa', region: 'canadaeast', role: 'primary' });
    expect(namespaceFor(environment, 'core')).toBe('qa-core');
    expect(monitoringNamespaceFor(environment)).toBe('qa-monitoring');
    const text = readText(t, FILE);
    expect(text).toContain('const qa: EnvironmentInput = {');
    expect(text).toMatch(/export const environmentInputs: EnvironmentInput\[\] = \[dev, staging, prod, qa\];/);
    expect(text.indexOf('const qa: EnvironmentInput')).toBeLessThan(text.indexOf('export const environmentInputs'));

    const copy = materialize(t, 'libs/catalog');
    cleanups.push(copy.cleanup);
    const catalog = (await import(`${copy.root}/libs/catalog/src/index.ts`)) as typeof CatalogModule;
    expect(catalog.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod', 'qa']);
    expect(catalog.getEnvironment('qa')).toEqual(environment);
  });

  it('gives the documented example (qa, no --domain) hosts of its own, and the catalog tests still pass', async () => {
    const t = workspaceTree(['nx.json', 'libs/catalog/src', 'libs/catalog/test', 'libs/catalog/vitest.config.ts']);
    const { environment } = await addEnvironment(t, { name: 'qa', kind: 'staging', region: 'canadacentral' });
    expect(environment.domain).toBe('qa.cios.ca');
    const copy = materialize(t, 'libs/catalog');
    cleanups.push(copy.cleanup);
    const catalog = (await import(`${copy.root}/libs/catalog/src/index.ts`)) as typeof CatalogModule;
    const gateway = catalog.getService('api-gateway');
    expect(publicHostFor(catalog.getEnvironment('qa'), gateway)).toBe('api.qa.cios.ca');
    const tests = runProjectTests(copy.root, 'libs/catalog');
    expect(tests.ok, tests.output).toBe(true);
  }, 300_000);

  it("refuses a domain another environment serves, since both would claim its hosts", async () => {
    expect(await refusal({ name: 'qa', kind: 'staging', domain: 'dev.cios.ca' })).toBe(
      'domain "dev.cios.ca" is already dev\'s: two environments cannot serve the same public hosts; pass another --domain (e.g. qa.cios.ca)',
    );
  });

  it("adds the environment to the plugin's list in nx.json with a one-line edit, so it gets synth-qa and plan-qa", async () => {
    const t = tree();
    const before = readText(t, 'nx.json');
    await addEnvironment(t, { name: 'qa', kind: 'staging', region: 'canadaeast' });
    const after = readText(t, 'nx.json');
    expect(after).toBe(before.replace('"environments": ["dev", "staging", "prod"]', '"environments": ["dev", "staging", "prod", "qa"]'));
    expect(after).not.toBe(before);
    const entry = (JSON.parse(after) as { plugins: Array<{ plugin?: string; options?: { environments?: string[] } }> }).plugins.find((p) => p.plugin === PLUGIN_ENTRY);
    const targets = inferTargets({ root: 'libs/infra', packageJson: { name: '@cios/infra', bin: { 'cios-synth': './bin/cios-synth.js' } }, hasDockerfile: false }, undefined, {
      environments: entry?.options?.environments ?? [],
    });
    expect(targets['synth-qa']?.outputs).toEqual(['{workspaceRoot}/dist/stacks/qa']);
    expect(targets['plan-qa']?.dependsOn).toEqual(['synth-qa']);
  });

  it('makes prod require an approval and digests, with state in S3', async () => {
    const { environment, variable } = await addEnvironment(tree(), {
      name: 'prod-west',
      kind: 'prod',
      region: 'ca-west-1',
      backend: 's3',
      stateBucket: 'cios-terraform-state-ca',
      stateRegion: 'ca-west-1',
    });
    expect(variable).toBe('prodWest');
    expect(environment).toMatchObject({
      requiresApproval: true,
      approver: 'Product Manager/CTO Agent',
      requireDigests: true,
      backend: { type: 's3', bucket: 'cios-terraform-state-ca', key: 'prod-west', region: 'ca-west-1', useLockfile: true, encrypt: true },
    });
  });

  it('keeps dev state local by default and honours a namespace prefix and a Prometheus URL', async () => {
    const { environment } = await addEnvironment(tree(), {
      name: 'sandbox',
      kind: 'dev',
      namespacePrefix: 'sbx',
      prometheusUrl: 'http://prometheus.observability.svc:9090',
    });
    expect(environment.backend).toEqual({ type: 'local', path: 'terraform.tfstate' });
    expect(namespaceFor(environment, 'ai')).toBe('sbx-ai');
    expect(environment.prometheusUrl).toBe('http://prometheus.observability.svc:9090');
  });
});

describe('environment generator refuses bad input with a clear error, writing nothing', () => {
  it('an invalid name', async () => {
    expect(await refusal({ name: 'QA env', kind: 'dev' })).toMatch(/^invalid environment name "QA env": must be a DNS-1123 label/);
  });

  it('a duplicate environment', async () => {
    expect(await refusal({ name: 'staging', kind: 'staging' })).toBe(
      'environment "staging" already exists in the catalog (libs/catalog/src/environments.ts); pick another name',
    );
  });

  it('a prod environment without approval, or with local state', async () => {
    expect(await refusal({ name: 'prod2', kind: 'prod', requiresApproval: false, backend: 'kubernetes' })).toMatch(
      /environment "prod2" is invalid:\n {2}- requiresApproval: prod must require approval/,
    );
    expect(await refusal({ name: 'prod2', kind: 'prod', backend: 'local' })).toMatch(/cannot keep its Terraform state on a local disk/);
  });

  it('a region outside Canada, an unknown kind, an S3 backend without bucket, a bad Prometheus URL', async () => {
    expect(await refusal({ name: 'qa', kind: 'staging', region: 'us-east-1' })).toMatch(/clusters\[0\]\.region: region "us-east-1" is not in Canada/);
    expect(await refusal({ name: 'qa', kind: 'test' })).toMatch(/kind: /);
    expect(await refusal({ name: 'qa', kind: 'staging', backend: 's3' })).toBe('backend s3 needs --stateBucket, the bucket that keeps the Terraform state');
    expect(await refusal({ name: 'qa', kind: 'staging', prometheusUrl: 'prometheus on port 9090' })).toMatch(/prometheusUrl: must be an http\(s\) URL/);
  });
});

describe("keeping nx.json's environments in step", () => {
  const nxJsonTree = (nxJson: unknown): Tree => {
    const t = workspaceTree([]);
    t.write('nx.json', typeof nxJson === 'string' ? nxJson : JSON.stringify(nxJson));
    return t;
  };

  it('leaves nx.json alone when the plugin lists no environments (its one synth --all covers every one) or is absent', () => {
    for (const nxJson of [{ plugins: [PLUGIN_ENTRY] }, { plugins: [{ plugin: PLUGIN_ENTRY }] }, { plugins: [{ plugin: '@nx/js/typescript' }] }, {}]) {
      const t = nxJsonTree(nxJson);
      expect(addPluginEnvironment(t, 'qa')).toBe(false);
      expect(readText(t, 'nx.json')).toBe(JSON.stringify(nxJson));
    }
  });

  it('does not add a name twice', () => {
    const t = nxJsonTree({ plugins: [{ plugin: PLUGIN_ENTRY, options: { environments: ['dev', 'qa'] } }] });
    expect(addPluginEnvironment(t, 'qa')).toBe(false);
  });

  it('writes the whole file when a one-line edit would be ambiguous (another "environments" key)', () => {
    const text = JSON.stringify({ plugins: [{ plugin: 'other', options: { environments: ['x'] } }, { plugin: PLUGIN_ENTRY, options: { environments: [] } }] });
    const t = nxJsonTree(text);
    expect(addPluginEnvironment(t, 'qa')).toBe(true);
    expect(JSON.parse(readText(t, 'nx.json'))).toEqual({
      plugins: [{ plugin: 'other', options: { environments: ['x'] } }, { plugin: PLUGIN_ENTRY, options: { environments: ['qa'] } }],
    });
  });

  it('edits an empty list in place', () => {
    const text = '{\n  "plugins": [{ "plugin": "@cios/nx-plugin/plugin", "options": { "environments": [] } }]\n}\n';
    const t = nxJsonTree(text);
    expect(addPluginEnvironment(t, 'qa')).toBe(true);
    expect(readText(t, 'nx.json')).toBe(text.replace('[]', '["qa"]'));
  });
});
