import { afterEach, describe, expect, it } from 'vitest';
import type { Tree } from '@nx/devkit';
import type * as CatalogModule from '@cios/catalog';
import { services as realServices } from '@cios/catalog';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertKnowledgeBase, submitChange } from '@cios/knowledge-base';
import { addService } from '../src/generators/service/generator.js';
import type { ServiceGeneratorSchema } from '../src/generators/service/schema.js';
import { defined, materialize, readText, runProjectTests, workspaceTree } from './workspace-tree.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const KB = '.ai-knowledge-base.json';

function tree(): Tree {
  return workspaceTree(['libs/catalog/src', 'libs/catalog/test', KB]);
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

async function refusal(options: ServiceGeneratorSchema, t: Tree = tree()): Promise<string> {
  const snapshot = () => JSON.stringify(t.listChanges().map((c) => [c.path, c.content?.toString('utf-8')]));
  const before = snapshot();
  const error = await addService(t, options, NOW).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'expected the generator to refuse').toBeInstanceOf(Error);
  expect(snapshot(), 'nothing is written when the options are refused').toBe(before);
  return defined(error, 'a refusal').message;
}

describe('service generator', () => {
  it('adds the service to its tier file with every default written out, and the catalog still validates', async () => {
    const t = tree();
    const result = await addService(t, { name: 'appointment-service', tier: 'core', description: 'Booking of consultations' }, NOW);
    expect(result.catalogFile).toBe('libs/catalog/src/services/core.ts');
    const core = readText(t, 'libs/catalog/src/services/core.ts');
    expect(core).toContain("name: 'appointment-service'");
    expect(core).toContain("image: 'ghcr.io/cios/appointment-service'");
    expect(core).toContain("health: { liveness: '/healthz', readiness: '/readyz', startup: '/healthz' }");
    expect(result.service).toMatchObject({
      name: 'appointment-service',
      tier: 'core',
      port: 8080,
      autoscaling: { minReplicas: 3, maxReplicas: 10, cpuTargetPercent: 70 },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      replicas: { dev: 1, staging: 2, prod: 3 },
    });
    expect(result.service.slos.map((s) => s.sli)).toEqual(['availability', 'latency']);

    const copy = materialize(t, 'libs/catalog');
    cleanups.push(copy.cleanup);
    const catalog = (await import(`${copy.root}/libs/catalog/src/index.ts`)) as typeof CatalogModule;
    const added = catalog.getService('appointment-service');
    expect(added).toEqual(result.service);
    expect(catalog.services.length).toBe(realServices.length + 1);
  });

  it('adds a catalog test for the service', async () => {
    const t = tree();
    const result = await addService(t, { name: 'translation-service', tier: 'ai', runtime: 'python', dependsOn: 'ai-gateway, redis' }, NOW);
    expect(result.testFile).toBe('libs/catalog/test/services/translation-service.spec.ts');
    const spec = readText(t, defined(result.testFile, 'a test file'));
    expect(spec).toContain("getService('translation-service')");
    expect(spec).toContain("from '../../src/index.js'");
    expect(spec).toContain("objective: 95, thresholdMs: 200");
    expect(result.service.dependsOn).toEqual(['ai-gateway', 'redis']);
    expect(result.service.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
  });

  it('assigns the deployment to the DevOps Agent through the KB library after the files are written, keeping agents\' changes', async () => {
    const t = tree();
    const before = readText(t, KB);
    const result = await addService(t, { name: 'appointment-service', tier: 'core' }, NOW);
    // Nothing goes through the tree: Nx writing the whole file back would undo what agents changed meanwhile.
    expect(readText(t, KB)).toBe(before);
    const assignment = defined(result.assignment, 'a planned assignment');
    const dir = mkdtempSync(join(tmpdir(), 'cios-nx-plugin-kb-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, KB);
    writeFileSync(file, readText(t, KB));
    // An agent logs a change between the generator's read and its commit.
    const agentChange = await submitChange('log-change', { by: 'DevOps Agent', what: 'meanwhile', why: 'test' }, { file });
    const id = await assignment.commit(file);
    const after = assertKnowledgeBase(JSON.parse(readFileSync(file, 'utf8')));
    expect(after.infrastructure_changes?.map((c) => c.what)).toContain('meanwhile');
    expect(id).toBe(assignment.expectedId);
    expect(after.agent_coordination?.active_assignments?.at(-1)).toMatchObject({
      id,
      assigned_to: 'DevOps Agent',
      assigned_by: 'Product Manager/CTO Agent',
      task: 'Deploy appointment-service (core) to dev, then staging and prod',
      status: 'assigned',
      priority: 'P1',
      assigned_at: NOW.toISOString(),
    });
    expect(after.revision).toBe(agentChange.revision + 1);
  });

  it('adds a public host through the ingress and honours port, classification and objectives', async () => {
    const t = tree();
    const result = await addService(
      t,
      { name: 'status-page', tier: 'edge', host: 'status.cios.ca', port: 3000, dataClassification: 'public', availabilityObjective: 99.5, latencyObjective: 99, latencyThresholdMs: 500 },
      NOW,
    );
    expect(result.service.ingress).toEqual({ host: 'status.cios.ca', path: '/' });
    expect(result.service.slos).toEqual([
      expect.objectContaining({ name: 'availability', objective: 99.5 }),
      expect.objectContaining({ name: 'latency-p99', objective: 99, thresholdMs: 500 }),
    ]);
  });

  it('the audit\'s public service (--dependsOn=postgres --host=appointments.cios.ca): the catalog tests, its new one included, pass', async () => {
    const t = workspaceTree(['libs/catalog/src', 'libs/catalog/test', 'libs/catalog/vitest.config.ts', KB]);
    const result = await addService(t, { name: 'appointment-service', tier: 'core', dependsOn: 'postgres', host: 'appointments.cios.ca' }, NOW);
    expect(result.service.ingress).toEqual({ host: 'appointments.cios.ca', path: '/' });
    const copy = materialize(t, 'libs/catalog');
    cleanups.push(copy.cleanup);
    const tests = runProjectTests(copy.root, 'libs/catalog');
    expect(tests.ok, tests.output).toBe(true);
    expect(tests.output).toMatch(/test\/services\/appointment-service\.spec\.ts/);
  }, 300_000);

  it('works without a knowledge base, and can skip the test', async () => {
    const t = workspaceTree(['libs/catalog/src']);
    const result = await addService(t, { name: 'appointment-service', tier: 'core', skipTest: true }, NOW);
    expect(result.assignment).toBeUndefined();
    expect(result.testFile).toBeUndefined();
    expect(t.exists(KB)).toBe(false);
  });

  it('is deterministic: the same options give the same files', async () => {
    const a = tree();
    const b = tree();
    await addService(a, { name: 'appointment-service', tier: 'core' }, NOW);
    await addService(b, { name: 'appointment-service', tier: 'core' }, NOW);
    const contents = (t: Tree) => t.listChanges().map((c) => [c.path, c.content?.toString('utf-8')]);
    expect(contents(a)).toEqual(contents(b));
  });
});

describe('service generator refuses bad input with a clear error, writing nothing', () => {
  it('an invalid name', async () => {
    expect(await refusal({ name: 'Appointment_Service', tier: 'core' })).toBe(
      'invalid service name "Appointment_Service": must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
    );
    expect(await refusal({ name: 'x'.repeat(64), tier: 'core' })).toMatch(/must be at most 63 characters/);
  });

  it('a duplicate service, naming the file that has it', async () => {
    expect(await refusal({ name: 'case-service', tier: 'core' })).toBe(
      'service "case-service" already exists in the catalog (libs/catalog/src/services/core.ts); pick another name',
    );
  });

  it('a duplicate added earlier in the same run', async () => {
    const t = tree();
    await addService(t, { name: 'appointment-service', tier: 'core' }, NOW);
    expect(await refusal({ name: 'appointment-service', tier: 'ai' }, t)).toMatch(/already exists in the catalog \(libs\/catalog\/src\/services\/core\.ts\)/);
  });

  it('an unknown tier, listing the tiers', async () => {
    expect(await refusal({ name: 'appointment-service', tier: 'backend' })).toBe(
      'unknown tier "backend"; a service\'s tier is one of: core, ai, data, edge',
    );
  });

  it('an unknown dependency', async () => {
    expect(await refusal({ name: 'appointment-service', tier: 'core', dependsOn: 'postgres,mongodb' })).toMatch(
      /^dependsOn: "mongodb" is not in the catalog \(known: .*postgres/,
    );
  });

  it('a dependency that does not run everywhere, naming where it runs (the new service runs in every environment)', async () => {
    expect(await refusal({ name: 'appointment-service', tier: 'core', dependsOn: 'postgres,sample-api' })).toBe(
      'dependsOn: "sample-api" runs only in dev (libs/catalog/src/services/core.ts), and the new service runs in every environment, where its calls would reach nothing; depend only on services that run everywhere',
    );
  });

  it('a latency threshold that is not a histogram bucket', async () => {
    expect(await refusal({ name: 'appointment-service', tier: 'core', latencyThresholdMs: 250 })).toMatch(
      /latencyThresholdMs 250 is not a histogram bucket; use one of 5, 10, 25, 50, 100, 200, 300/,
    );
  });

  it('autoscaling bounds upside down and a bad host, each with its field', async () => {
    const message = await refusal({ name: 'appointment-service', tier: 'core', minReplicas: 5, maxReplicas: 2, host: 'not a host' });
    expect(message).toContain('autoscaling.minReplicas: minReplicas (5) must not be above maxReplicas (2)');
    expect(message).toContain('ingress.host: must be a fully qualified host name');
  });
});
