import ts from 'typescript';

/** A parsed TypeScript file of the tree: the generators edit catalog and registry sources through it. */
export function parseSource(path: string, text: string): ts.SourceFile {
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** The array literal initialising `const <name> … = [ … ]`, wherever it is declared in the file. */
export function findArrayLiteral(source: ts.SourceFile, variable: string): ts.ArrayLiteralExpression | undefined {
  let found: ts.ArrayLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === variable && node.initializer) {
      const init = unwrap(node.initializer);
      if (ts.isArrayLiteralExpression(init)) found = init;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `x as T`, `x satisfies T` and `(x)` are the same array for our purposes. */
function unwrap(node: ts.Expression): ts.Expression {
  if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node)) return unwrap(node.expression);
  return node;
}

/**
 * The text with `elementText` appended as the array's last element, on its own line(s),
 * indented like the array's contents.
 */
export function appendToArray(text: string, source: ts.SourceFile, array: ts.ArrayLiteralExpression, elementText: string): string {
  const lineStart = text.lastIndexOf('\n', array.getStart(source)) + 1;
  const baseIndent = /^\s*/.exec(text.slice(lineStart))?.[0] ?? '';
  const indent = `${baseIndent}  `;
  const body = elementText.split('\n').join(`\n${indent}`);
  const elements = array.elements;
  if (elements.length === 0) {
    const open = array.getStart(source) + 1;
    return `${text.slice(0, open)}\n${indent}${body},\n${baseIndent}${text.slice(array.getEnd() - 1)}`;
  }
  const multiline = text.slice(array.getStart(source), array.getEnd()).includes('\n');
  const last = elements[elements.length - 1] as ts.Expression;
  const end = last.getEnd();
  if (!multiline) {
    return `${text.slice(0, end)}, ${elementText}${text.slice(end)}`;
  }
  const comma = elements.hasTrailingComma ? '' : ',';
  const after = elements.hasTrailingComma ? text.indexOf(',', end) + 1 : end;
  return `${text.slice(0, after)}${comma}\n${indent}${body}${elements.hasTrailingComma ? ',' : ''}${text.slice(after)}`;
}

/** A string literal's value, or undefined for anything computed. */
export function stringValue(node: ts.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

/** The `name` of an array element: `{ name: 'x', … }` or `helper('x', …)`. */
export function elementName(element: ts.Expression): string | undefined {
  if (ts.isObjectLiteralExpression(element)) {
    for (const property of element.properties) {
      if (ts.isPropertyAssignment(property) && property.name.getText() === 'name') return stringValue(property.initializer);
    }
    return undefined;
  }
  if (ts.isCallExpression(element)) return stringValue(element.arguments[0]);
  return undefined;
}

/** The object literal of an array element that holds its fields: `{ … }` itself, or the overrides of `helper('x', tier, { … })`. */
function elementFields(element: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(element)) return element;
  if (ts.isCallExpression(element)) return element.arguments.find(ts.isObjectLiteralExpression);
  return undefined;
}

/**
 * The `environments` an array element writes as a literal list of strings (`environments: ['dev']`), or undefined
 * when it writes none (the service runs everywhere) or computes it (unreadable here; the catalog's schema still checks it).
 */
export function elementEnvironments(element: ts.Expression): string[] | undefined {
  for (const property of elementFields(element)?.properties ?? []) {
    if (!ts.isPropertyAssignment(property) || property.name.getText() !== 'environments') continue;
    if (!ts.isArrayLiteralExpression(property.initializer)) return undefined;
    const values = property.initializer.elements.map((e) => stringValue(e));
    return values.every((v): v is string => v !== undefined) ? values : undefined;
  }
  return undefined;
}

/** Adds `import { symbol } from 'specifier';` after the last import, unless the file already imports it. */
export function addNamedImport(text: string, source: ts.SourceFile, symbol: string, specifier: string): string {
  const imports = source.statements.filter(ts.isImportDeclaration);
  if (imports.some((i) => stringValue(i.moduleSpecifier) === specifier && i.getText(source).includes(symbol))) return text;
  const line = `import { ${symbol} } from '${specifier}';\n`;
  const last = imports[imports.length - 1];
  if (!last) return `${line}${text}`;
  const end = last.getEnd();
  return `${text.slice(0, end)}\n${line.trimEnd()}${text.slice(end)}`;
}

export { ts };
