/**
 * Terraform JSON made deterministic and free of cdktf internals: drops the "//" metadata (construct
 * paths, cdktf version, backend and stack annotations) and sorts object keys; arrays keep their order.
 */
export function normalizeTerraform(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeTerraform);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key, v]) => key !== '//' && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, normalizeTerraform(v)]));
  }
  return value;
}

export function terraformJsonText(config: unknown): string {
  return `${JSON.stringify(normalizeTerraform(config), null, 2)}\n`;
}
