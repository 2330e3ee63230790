type Json = Record<string, unknown>;

/**
 * Terraform JSON made deterministic and free of cdktf internals: drops the "//" metadata (construct
 * paths, cdktf version, backend and stack annotations) and sorts object keys (by UTF-16 code units,
 * the default sort order); arrays keep their order. One pass, no intermediate entry arrays: it runs
 * over every value of every stack.
 */
export function normalizeTerraform(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeTerraform);
  if (value !== null && typeof value === 'object') {
    const source = value as Json;
    const out: Json = {};
    for (const key of Object.keys(source).sort()) {
      const v = source[key];
      if (key !== '//' && v !== undefined) out[key] = normalizeTerraform(v);
    }
    return out;
  }
  return value;
}

/** The file text of a config `normalizeTerraform` already returned. */
export function normalizedJsonText(config: unknown): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The file text of any Terraform JSON value, normalised first. */
export function terraformJsonText(config: unknown): string {
  return normalizedJsonText(normalizeTerraform(config));
}
