import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Import a workspace package (`@cios/…`) from a generator.
 *
 * Generators run inside the Nx CLI, which on Node 20 resolves workspace packages to their built
 * `dist/` (it cannot add the `@cios/source` condition there). A generator must also work on a fresh
 * clone before anything is built, so when `dist/` is missing we load the package's TypeScript source
 * (the `@cios/source` export) through the TypeScript transpiler Nx registers for local plugins.
 */
export async function importWorkspacePackage<T>(name: string, workspaceRoot: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
  }
  const require = createRequire(join(workspaceRoot, 'package.json'));
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, unknown> };
  const root = manifest.exports?.['.'];
  const source = root && typeof root === 'object' ? (root as Record<string, unknown>)['@cios/source'] : undefined;
  if (typeof source !== 'string') throw new Error(`${name} has no "@cios/source" export to load before it is built`);
  const file = join(dirname(manifestPath), source);
  if (!existsSync(file)) throw new Error(`${name}: ${file} does not exist`);
  registerTypeScriptLoader(workspaceRoot);
  // A native import(): the source is ESM with NodeNext `.js` specifiers, which only the ESM loader resolves.
  const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<T>;
  return nativeImport(pathToFileURL(file).href);
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

let loaderRegistered = false;

function registerTypeScriptLoader(workspaceRoot: string): void {
  if (loaderRegistered) return;
  loaderRegistered = true;
  register('@swc-node/register/esm', pathToFileURL(join(workspaceRoot, 'package.json')));
}
