import { formatFiles, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import type * as Spec from '@cios/platform-spec';
import { CATALOG_SERVICE_TESTS_DIR, catalogServices, tierArray, tierFile } from '../../utils/catalog-layout.js';
import { GeneratorError } from '../../utils/errors.js';
import { planAssignment, type PlannedAssignment } from '../../utils/knowledge-base.js';
import { toTsLiteral } from '../../utils/ts-literal.js';
import { appendToArray, findArrayLiteral, parseSource } from '../../utils/ts-source.js';
import { importWorkspacePackage } from '../../utils/workspace-import.js';
import type { ServiceGeneratorSchema } from './schema.js';
import { serviceInputFrom, splitList } from './service-input.js';
import { serviceTestSource } from './test-file.js';

/** What the generator did, for tests and for callers composing generators. */
export interface ServiceGeneratorResult {
  readonly service: Spec.Service;
  readonly catalogFile: string;
  readonly testFile?: string;
  /** The deploy assignment, checked; made in the KB by the generator's callback. */
  readonly assignment?: PlannedAssignment;
}

export async function serviceGenerator(tree: Tree, options: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const { service, assignment } = await addService(tree, options);
  await formatFiles(tree);
  return async () => {
    if (!assignment) return;
    const id = await assignment.commit();
    logger.info(`Knowledge base: ${id} assigns to ${options.assignTo ?? 'DevOps Agent'}: deploy ${service.name}.`);
  };
}

export default serviceGenerator;

/** The generator without formatting: validate, add to the catalog, add a test, assign the deploy. */
export async function addService(tree: Tree, options: ServiceGeneratorSchema, now: Date = new Date()): Promise<ServiceGeneratorResult> {
  const spec = await importWorkspacePackage<typeof Spec>('@cios/platform-spec', tree.root);
  const input = serviceInputFrom(options);
  const service = validate(spec, input, options);

  const existing = catalogServices(tree);
  const duplicate = existing.find((e) => e.name === service.name);
  if (duplicate) {
    throw new GeneratorError(`service "${service.name}" already exists in the catalog (${duplicate.file}); pick another name`);
  }
  const known = new Set(existing.map((e) => e.name));
  const unknown = service.dependsOn.filter((d) => !known.has(d));
  if (unknown.length > 0) {
    throw new GeneratorError(
      `dependsOn: ${unknown.map((d) => `"${d}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the catalog (known: ${[...known].sort().join(', ')})`,
    );
  }
  // The generated service runs in every environment, so what it calls must too (the Platform schema would refuse
  // the catalog at import): said here, before anything is written, naming where each callee runs.
  const limited = existing.filter((e) => e.environments !== undefined && service.dependsOn.includes(e.name));
  if (limited.length > 0) {
    throw new GeneratorError(
      `dependsOn: ${limited.map((e) => `"${e.name}" runs only in ${e.environments?.join(', ')} (${e.file})`).join('; ')}, and the new service runs in every environment, where its calls would reach nothing; depend only on services that run everywhere`,
    );
  }

  const catalogFile = tierFile(service.tier);
  const text = tree.read(catalogFile, 'utf-8');
  if (text === null) throw new GeneratorError(`tier "${service.tier}" has no catalog file ${catalogFile}`);
  const source = parseSource(catalogFile, text);
  const array = findArrayLiteral(source, tierArray(service.tier));
  if (!array) throw new GeneratorError(`${catalogFile} has no array "${tierArray(service.tier)}" to add the service to`);
  tree.write(catalogFile, appendToArray(text, source, array, toTsLiteral(input)));

  let testFile: string | undefined;
  if (!options.skipTest) {
    testFile = `${CATALOG_SERVICE_TESTS_DIR}/${service.name}.spec.ts`;
    tree.write(testFile, serviceTestSource(input));
  }

  const assignment = await planAssignment(
    tree,
    {
      to: options.assignTo ?? 'DevOps Agent',
      priority: options.priority ?? 'P1',
      task: `Deploy ${service.name} (${service.tier}) to dev, then staging and prod`,
      description:
        `New catalog service ${service.name} (${catalogFile}): synthesize and review its stacks (nx run @cios/infra:synth), ` +
        `build and push ${service.image} (cios-image), then deploy with cios-deploy through dev, staging and prod; ` +
        `its SLOs (${service.slos.map((s) => s.name).join(', ')}) get rules and dashboards from @cios/monitoring.`,
    },
    now,
  );
  if (assignment === undefined) logger.warn('No .ai-knowledge-base.json in this workspace: no deployment will be assigned.');
  else logger.info(`Knowledge base: deploying ${service.name} will be assigned (${assignment.expectedId} unless an agent takes that id first) once the files are written.`);

  return { service, catalogFile, ...(testFile ? { testFile } : {}), ...(assignment ? { assignment } : {}) };
}

/** Options the platform-spec schemas refuse, reported as `option: message`, before anything is written. */
function validate(spec: typeof Spec, input: Spec.ServiceInput, options: ServiceGeneratorSchema): Spec.Service {
  const name = spec.Dns1123Label.safeParse(options.name);
  if (!name.success) {
    throw new GeneratorError(`invalid service name "${options.name}": ${name.error.issues.map((i) => i.message).join('; ')}`);
  }
  const tiers = spec.Tier.options as readonly string[];
  if (!tiers.includes(options.tier)) {
    throw new GeneratorError(`unknown tier "${options.tier}"; a service's tier is one of: ${tiers.join(', ')}`);
  }
  const threshold = input.slos?.find((s) => s.sli === 'latency');
  const buckets = spec.REQUEST_DURATION_BUCKETS_SECONDS.map((s) => Math.round(s * 1000));
  if (threshold && 'thresholdMs' in threshold && !buckets.includes(threshold.thresholdMs)) {
    throw new GeneratorError(`latencyThresholdMs ${threshold.thresholdMs} is not a histogram bucket; use one of ${buckets.join(', ')}`);
  }
  for (const dependency of splitList(options.dependsOn)) {
    if (dependency === options.name) throw new GeneratorError(`dependsOn: a service cannot depend on itself ("${dependency}")`);
  }
  try {
    return spec.parseSpec(spec.Service, input, `service "${options.name}"`);
  } catch (error) {
    if (error instanceof Error && error.name === 'SpecError') throw new GeneratorError(error.message);
    throw error;
  }
}
