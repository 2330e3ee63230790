/**
 * A fast yes/no validator compiled from a zod schema (no allocation, no issue objects).
 * `problemsOf` runs it first and calls zod only when it says "no", to produce messages,
 * so a valid 10 MB KB is checked at close to the cost of walking it once.
 * Only the schema features used by schema.ts are compiled; anything else makes the
 * compiler give up (returns undefined) and zod does all the work.
 */
import type { z } from 'zod';

export type FastCheck = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, string | number>;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringCheck(def: Def): FastCheck | undefined {
  const tests: ((s: string) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d['check'] === 'string_format' && d['format'] === 'regex' && d['pattern'] instanceof RegExp && !d['pattern'].global && !d['pattern'].sticky) {
      const re = d['pattern'];
      tests.push((s) => re.test(s));
    } else if (d['check'] === 'min_length' && typeof d['minimum'] === 'number') {
      const min = d['minimum'];
      tests.push((s) => s.length >= min);
    } else return undefined;
  }
  return (v) => typeof v === 'string' && tests.every((t) => t(v));
}

function numberCheck(def: Def): FastCheck | undefined {
  const tests: ((n: number) => boolean)[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d['check'] === 'number_format' && d['format'] === 'safeint') tests.push((n) => Number.isSafeInteger(n));
    else if (d['check'] === 'greater_than' && typeof d['value'] === 'number') {
      const min = d['value'];
      tests.push(d['inclusive'] ? (n) => n >= min : (n) => n > min);
    } else if (d['check'] === 'less_than' && typeof d['value'] === 'number') {
      const max = d['value'];
      tests.push(d['inclusive'] ? (n) => n <= max : (n) => n < max);
    } else return undefined;
  }
  return (v) => typeof v === 'number' && Number.isFinite(v) && tests.every((t) => t(v));
}

export function compileFastCheck(schema: z.ZodType): FastCheck | undefined {
  const def = defOf(schema);
  if (def.type === 'string') return stringCheck(def);
  if (def.type === 'number') return numberCheck(def);
  if ((def.checks ?? []).length > 0) return undefined; // refinements we do not know
  switch (def.type) {
    case 'unknown':
    case 'any':
      return () => true;
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'enum': {
      const allowed = new Set(Object.values(def.entries ?? {}));
      return (v) => (typeof v === 'string' || typeof v === 'number') && allowed.has(v);
    }
    case 'optional': {
      const inner = def.innerType && compileFastCheck(def.innerType);
      return inner && ((v) => v === undefined || inner(v));
    }
    case 'nullable': {
      const inner = def.innerType && compileFastCheck(def.innerType);
      return inner && ((v) => v === null || inner(v));
    }
    case 'array': {
      const element = def.element && compileFastCheck(def.element);
      if (!element) return undefined;
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'object': {
      if (def.catchall !== undefined && defOf(def.catchall).type !== 'unknown') return undefined;
      const fields: [string, FastCheck][] = [];
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const check = compileFastCheck(field);
        if (!check) return undefined;
        fields.push([key, check]);
      }
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (let i = 0; i < fields.length; i++) {
          const [key, check] = fields[i] as [string, FastCheck];
          if (!check(v[key])) return false;
        }
        return true;
      };
    }
    case 'record': {
      if (!def.keyType || !def.valueType) return undefined;
      const keyDef = defOf(def.keyType);
      if (keyDef.type !== 'string' || (keyDef.checks ?? []).length > 0) return undefined;
      const value = compileFastCheck(def.valueType);
      if (!value) return undefined;
      return (v) => {
        if (!isPlainObject(v)) return false;
        for (const key of Object.keys(v)) if (!value(v[key])) return false;
        return true;
      };
    }
    case 'union': {
      const options = (def.options ?? []).map(compileFastCheck);
      if (options.some((o) => o === undefined)) return undefined;
      const checks = options as FastCheck[];
      return (v) => checks.some((c) => c(v));
    }
    default:
      return undefined;
  }
}
