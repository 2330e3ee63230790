import { formatFiles, type Tree } from '@nx/devkit';
import { GeneratorError } from '../../utils/errors.js';
import { addNamedImport, appendToArray, findArrayLiteral, parseSource } from '../../utils/ts-source.js';
import type { PolicyRuleGeneratorSchema } from './schema.js';
import { ruleSource, ruleSpecSource, type RuleTemplate } from './templates.js';

/** Where libs/infra keeps its policy: one file per rule, one registry, specs beside the fixtures. */
export const RULES_DIR = 'libs/infra/src/policy/rules';
export const REGISTRY_FILE = 'libs/infra/src/policy/registry.ts';
export const REGISTRY_ARRAY = 'POLICY_RULES';
export const RULE_TESTS_DIR = 'libs/infra/test/policy-rules';

/** The infra tests demand this much explanation on every rule. */
const MIN_TEXT = 21;

export interface PolicyRuleGeneratorResult {
  readonly ruleFile: string;
  readonly testFile: string;
  readonly template: RuleTemplate;
}

export async function policyRuleGenerator(tree: Tree, options: PolicyRuleGeneratorSchema): Promise<void> {
  addPolicyRule(tree, options);
  await formatFiles(tree);
}

export default policyRuleGenerator;

export function addPolicyRule(tree: Tree, options: PolicyRuleGeneratorSchema): PolicyRuleGeneratorResult {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(options.name)) {
    throw new GeneratorError(`invalid rule name "${options.name}": use kebab-case letters and digits, such as "require-owner-label"`);
  }
  const registryText = tree.read(REGISTRY_FILE, 'utf-8');
  if (registryText === null) throw new GeneratorError(`the policy registry ${REGISTRY_FILE} does not exist in this workspace`);
  const ruleFile = `${RULES_DIR}/${options.name}.ts`;
  if (tree.exists(ruleFile)) throw new GeneratorError(`rule "${options.name}" already exists (${ruleFile}); pick another name`);

  const existingIds = ruleIds(tree);
  const category = (options.category ?? 'K8S').toUpperCase();
  if (!/^[A-Z][A-Z0-9]*$/.test(category)) throw new GeneratorError(`invalid category "${options.category}": capitals and digits, such as K8S or NET`);
  const id = options.id ?? nextId(category, existingIds);
  if (!/^CIOS-[A-Z0-9]+-\d{3}$/.test(id)) throw new GeneratorError(`invalid rule id "${id}": must look like CIOS-K8S-012`);
  const owner = existingIds.get(id);
  if (owner) throw new GeneratorError(`rule id ${id} is already used by ${owner}; ids are cited in suppressions and must stay unique`);

  const severity = options.severity ?? 'warning';
  if (severity !== 'error' && severity !== 'warning') throw new GeneratorError(`invalid severity "${severity}": error or warning`);
  const kind = options.kind ?? 'Deployment';
  const label = options.label ?? 'app.kubernetes.io/part-of';
  const template: RuleTemplate = {
    fileName: options.name,
    exportName: `${options.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Rule`,
    id,
    title: options.title ?? `Every ${kind} carries the ${label} label`,
    severity,
    kind,
    label,
    reason:
      options.reason ?? `Selectors, dashboards and cost reports find a ${kind} by its ${label} label; without it the object is invisible to them.`,
    fix: options.fix ?? `Set metadata.labels["${label}"] on the ${kind} (the CIOS constructs set the standard labels through serviceLabels()).`,
  };
  for (const field of ['reason', 'fix'] as const) {
    if (template[field].length < MIN_TEXT) throw new GeneratorError(`${field} must be a sentence of at least ${MIN_TEXT} characters, got "${template[field]}"`);
  }

  const source = parseSource(REGISTRY_FILE, registryText);
  const array = findArrayLiteral(source, REGISTRY_ARRAY);
  if (!array) throw new GeneratorError(`${REGISTRY_FILE} has no array "${REGISTRY_ARRAY}" to register the rule in`);
  const registered = appendToArray(registryText, source, array, template.exportName);
  const withImport = addNamedImport(registered, parseSource(REGISTRY_FILE, registered), template.exportName, `./rules/${options.name}.js`);

  const testFile = `${RULE_TESTS_DIR}/${options.name}.spec.ts`;
  tree.write(ruleFile, ruleSource(template));
  tree.write(REGISTRY_FILE, withImport);
  tree.write(testFile, ruleSpecSource(template));
  return { ruleFile, testFile, template };
}

/** Every rule id in the rules folder, with the file that declares it. */
function ruleIds(tree: Tree): Map<string, string> {
  const ids = new Map<string, string>();
  if (!tree.exists(RULES_DIR)) return ids;
  for (const child of tree.children(RULES_DIR).sort()) {
    const file = `${RULES_DIR}/${child}`;
    for (const match of (tree.read(file, 'utf-8') ?? '').matchAll(/\bid:\s*'(CIOS-[A-Z0-9]+-\d{3})'/g)) ids.set(match[1] as string, file);
  }
  return ids;
}

function nextId(category: string, ids: Map<string, string>): string {
  const used = [...ids.keys()].filter((id) => id.startsWith(`CIOS-${category}-`)).map((id) => Number(id.slice(-3)));
  const next = (used.length === 0 ? 0 : Math.max(...used)) + 1;
  return `CIOS-${category}-${String(next).padStart(3, '0')}`;
}
