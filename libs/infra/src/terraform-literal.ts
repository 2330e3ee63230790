/**
 * Text that Terraform must pass through as written. In Terraform JSON every string (and every object
 * key inside an expression) is a template: `${…}` interpolates and `%{…}` is a directive, and cdktf
 * passes both through unescaped. Content made elsewhere uses them for its own purposes (Grafana's
 * `${datasource}` variables), so it is escaped to `$${` and `%%{`, which Terraform turns back into
 * `${` and `%{`: the cluster receives exactly the original text.
 */
export function terraformLiteral(text: string): string {
  // Replacer functions, not strings: in a replacement string "$$" itself means "$".
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** `terraformLiteral` over every string and object key of a JSON value; other values are kept. */
export function terraformLiteralDeep(value: unknown): unknown {
  if (typeof value === 'string') return terraformLiteral(value);
  if (Array.isArray(value)) return value.map(terraformLiteralDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), terraformLiteralDeep(v)]));
  }
  return value;
}
