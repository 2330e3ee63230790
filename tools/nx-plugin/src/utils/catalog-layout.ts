import type { Tree } from '@nx/devkit';
import { elementEnvironments, elementName, findArrayLiteral, parseSource } from './ts-source.js';

/**
 * Where the catalog keeps what the generators edit. One place, so a catalog refactor is one change
 * here (and the generator tests, which run against a copy of the real catalog, say when it is needed).
 */
export const CATALOG_ROOT = 'libs/catalog';
export const SERVICES_DIR = `${CATALOG_ROOT}/src/services`;
export const ENVIRONMENTS_FILE = `${CATALOG_ROOT}/src/environments.ts`;
export const ENVIRONMENTS_ARRAY = 'environmentInputs';
export const CATALOG_SERVICE_TESTS_DIR = `${CATALOG_ROOT}/test/services`;

/** `libs/catalog/src/services/<tier>.ts`, holding `export const <tier>Services: ServiceInput[] = [ … ]`. */
export function tierFile(tier: string): string {
  return `${SERVICES_DIR}/${tier}.ts`;
}

export function tierArray(tier: string): string {
  return `${tier}Services`;
}

/** A named entry of the catalog and the file that declares it. */
export interface CatalogEntry {
  readonly name: string;
  readonly file: string;
  /** A service's `environments` as written (names or kinds); absent when it runs everywhere. */
  readonly environments?: readonly string[];
}

/**
 * Service names the catalog declares, read from the sources in the tree (the tree may differ from disk:
 * an earlier generator in the same run may have added one). Entries built by spreads or variables are
 * invisible here; the Platform schema still catches their duplicates when the catalog is imported.
 */
export function catalogServices(tree: Tree): CatalogEntry[] {
  if (!tree.exists(SERVICES_DIR)) throw new Error(`the catalog's services folder ${SERVICES_DIR} does not exist in this workspace`);
  const entries: CatalogEntry[] = [];
  for (const child of tree.children(SERVICES_DIR).filter((c) => c.endsWith('.ts') && !c.endsWith('.spec.ts')).sort()) {
    const file = `${SERVICES_DIR}/${child}`;
    const source = parseSource(file, tree.read(file, 'utf-8') ?? '');
    const array = findArrayLiteral(source, tierArray(child.replace(/\.ts$/, '')));
    for (const element of array?.elements ?? []) {
      const name = elementName(element);
      const environments = elementEnvironments(element);
      if (name) entries.push({ name, file, ...(environments ? { environments } : {}) });
    }
  }
  return entries;
}

/** Environment names the catalog declares: the `name` of every object in environments.ts. */
export function catalogEnvironments(tree: Tree): CatalogEntry[] {
  const text = tree.read(ENVIRONMENTS_FILE, 'utf-8');
  if (text === null) throw new Error(`the catalog's environments file ${ENVIRONMENTS_FILE} does not exist in this workspace`);
  return [...text.matchAll(/^\s*name:\s*'([^']+)'/gm)].map((m) => ({ name: m[1] as string, file: ENVIRONMENTS_FILE }));
}

/** The `domain` of every environment in environments.ts that writes one as a literal, with that environment's name. */
export function catalogDomains(tree: Tree): { readonly name: string; readonly domain: string }[] {
  const text = tree.read(ENVIRONMENTS_FILE, 'utf-8') ?? '';
  // Each environment object starts at its `name:`; its domain, if any, comes before the next one.
  const starts = [...text.matchAll(/^\s*name:\s*'([^']+)'/gm)];
  return starts.flatMap((start, i) => {
    const body = text.slice(start.index, starts[i + 1]?.index ?? text.length);
    const domain = /^\s*domain:\s*'([^']+)'/m.exec(body)?.[1];
    return domain === undefined ? [] : [{ name: start[1] as string, domain }];
  });
}
