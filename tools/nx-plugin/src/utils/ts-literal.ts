/** How wide a line may get before an object or array is broken over several lines. */
const MAX_WIDTH = 110;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A JSON-like value as a TypeScript literal in the catalog's style: single quotes, unquoted keys
 * where possible, short objects on one line. Keys keep their insertion order, so output is stable.
 */
export function toTsLiteral(value: unknown, indent = 0, column = indent): string {
  const inline = inlineLiteral(value);
  if (column + inline.length <= MAX_WIDTH || !isContainer(value)) return inline;
  const pad = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${pad}${toTsLiteral(v, indent + 2)},\n`).join('')}${close}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${toTsLiteral(v, indent + 2, indent + 2 + key(k).length + 2)},\n`).join('')}${close}}`;
}

function isContainer(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

function inlineLiteral(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(inlineLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${key(k)}: ${inlineLiteral(v)}`).join(', ')} }`;
  }
  throw new Error(`cannot write ${typeof value} as a TypeScript literal`);
}

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

function quote(text: string): string {
  if (text.includes("'") && !text.includes('"') && !text.includes('\n')) return `"${text.replace(/\\/g, '\\\\')}"`;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
