/**
 * Orders strings by UTF-16 code units, the same on every machine. `localeCompare` follows the process's ICU
 * locale (LANG), so anything hashed, synthesized or written for another machine to compare must not use it.
 */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
