import { formatFiles, type Tree } from '@nx/devkit';
import type * as Spec from '@cios/platform-spec';
import { ENVIRONMENTS_ARRAY, ENVIRONMENTS_FILE, catalogDomains, catalogEnvironments } from '../../utils/catalog-layout.js';
import { GeneratorError } from '../../utils/errors.js';
import { addPluginEnvironment } from '../../utils/plugin-environments.js';
import { toTsLiteral } from '../../utils/ts-literal.js';
import { appendToArray, findArrayLiteral, parseSource, ts } from '../../utils/ts-source.js';
import { importWorkspacePackage } from '../../utils/workspace-import.js';
import { environmentInputFrom } from './environment-input.js';
import type { EnvironmentGeneratorSchema } from './schema.js';

export interface EnvironmentGeneratorResult {
  readonly environment: Spec.Environment;
  readonly variable: string;
}

export async function environmentGenerator(tree: Tree, options: EnvironmentGeneratorSchema): Promise<void> {
  await addEnvironment(tree, options);
  await formatFiles(tree);
}

export default environmentGenerator;

export async function addEnvironment(tree: Tree, options: EnvironmentGeneratorSchema): Promise<EnvironmentGeneratorResult> {
  const spec = await importWorkspacePackage<typeof Spec>('@cios/platform-spec', tree.root);
  const name = spec.Dns1123Label.safeParse(options.name);
  if (!name.success) {
    throw new GeneratorError(`invalid environment name "${options.name}": ${name.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (options.backend === 's3' && !options.stateBucket) {
    throw new GeneratorError('backend s3 needs --stateBucket, the bucket that keeps the Terraform state');
  }
  if (options.kind === 'prod' && options.backend === 'local') {
    throw new GeneratorError('a prod environment cannot keep its Terraform state on a local disk; use --backend=s3 or --backend=kubernetes');
  }
  const input = environmentInputFrom(options);
  let environment: Spec.Environment;
  try {
    environment = spec.parseSpec(spec.Environment, input, `environment "${options.name}"`);
  } catch (error) {
    if (error instanceof Error && error.name === 'SpecError') throw new GeneratorError(error.message);
    throw error;
  }
  const duplicate = catalogEnvironments(tree).find((e) => e.name === environment.name);
  if (duplicate) throw new GeneratorError(`environment "${environment.name}" already exists in the catalog (${duplicate.file}); pick another name`);
  const sameDomain = catalogDomains(tree).find((e) => e.domain === environment.domain);
  if (sameDomain) {
    throw new GeneratorError(
      `domain "${environment.domain}" is already ${sameDomain.name}'s: two environments cannot serve the same public hosts; pass another --domain (e.g. ${environment.name}.cios.ca)`,
    );
  }

  const text = tree.read(ENVIRONMENTS_FILE, 'utf-8') as string;
  const source = parseSource(ENVIRONMENTS_FILE, text);
  const array = findArrayLiteral(source, ENVIRONMENTS_ARRAY);
  if (!array) throw new GeneratorError(`${ENVIRONMENTS_FILE} has no array "${ENVIRONMENTS_ARRAY}" to add the environment to`);
  const variable = freeIdentifier(source, camelCase(environment.name));
  const statement = source.statements.find((s) => s.getStart(source) <= array.getStart(source) && array.getEnd() <= s.getEnd());
  if (!statement) throw new GeneratorError(`cannot find the statement declaring ${ENVIRONMENTS_ARRAY} in ${ENVIRONMENTS_FILE}`);

  // Register first (the array comes after the declaration we insert, so its offsets stay valid).
  const registered = appendToArray(text, source, array, variable);
  const at = leadingStart(text, source, statement);
  const comment = `/** ${(options.description ?? `${environment.kind} environment ${environment.name}`).replace(/\*\//g, '* /')} */\n`;
  const declaration = `${comment}const ${variable}: EnvironmentInput = ${toTsLiteral(input)};\n\n`;
  tree.write(ENVIRONMENTS_FILE, `${registered.slice(0, at)}${declaration}${registered.slice(at)}`);
  // The plugin's per-environment targets come from nx.json (inference cannot load the catalog): keep them in step.
  addPluginEnvironment(tree, environment.name);
  return { environment, variable };
}

/** Where a statement's leading comment starts, so the new declaration goes above it. */
function leadingStart(text: string, source: ts.SourceFile, statement: ts.Statement): number {
  const ranges = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [];
  return ranges[0]?.pos ?? statement.getStart(source);
}

function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await']);

/** The camel-cased name, unless the file already declares it or it is a keyword (or starts with a digit). */
function freeIdentifier(source: ts.SourceFile, preferred: string): string {
  const declared = new Set<string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isImportSpecifier(node)) && node.name && ts.isIdentifier(node.name)) {
      declared.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  let candidate = /^[0-9]/.test(preferred) || RESERVED.has(preferred) ? `${preferred.replace(/^([0-9])/, 'env$1')}Environment` : preferred;
  if (declared.has(candidate)) candidate = `${candidate}Environment`;
  let n = 2;
  const base = candidate;
  while (declared.has(candidate)) candidate = `${base}${n++}`;
  return candidate;
}
