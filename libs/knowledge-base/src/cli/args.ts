/** A thin layer over node:util parseArgs that turns every mistake into a usage error (exit 2). */
import { parseArgs } from 'node:util';
import { KbError } from '../errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** One line for --help. */
  help: string;
  /** Placeholder in --help, e.g. "ID". */
  arg?: string;
  required?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

export function usageError(message: string): KbError {
  return new KbError('usage', message);
}

export function parseCommandArgs(args: readonly string[], specs: OptionSpecs, command: string): { values: ParsedValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    const first = raw.split(/\. (?=To specify)/)[0]?.replace(/\.$/, '') ?? raw;
    throw usageError(`${command}: ${first} (see cios-kb ${command} --help)`);
  }
}

export function str(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Values of a repeatable option; each may also be comma-separated. */
export function list(values: ParsedValues, name: string): string[] | undefined {
  const v = values[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  const parts = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(','));
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

export function int(values: ParsedValues, name: string, command: string, range?: { min: number; max: number }): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw usageError(`${command}: --${name} must be a whole number (got "${v}")`);
  const n = Number(v);
  if (range && (n < range.min || n > range.max)) throw usageError(`${command}: --${name} must be between ${range.min} and ${range.max} (got ${n})`);
  return n;
}
