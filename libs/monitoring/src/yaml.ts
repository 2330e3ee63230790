import { stringify } from 'yaml';

/** Deterministic YAML: no anchors, no line folding, plain keys in insertion order. */
export function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0, indent: 2 });
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
