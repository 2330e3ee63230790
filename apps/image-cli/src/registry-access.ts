import type { RegistryAccess } from '@cios/containers';

/** `ghcr.io/acme` → host "ghcr.io", prefix "acme": images go to <host>/<prefix>/<repository path>. */
export interface RegistryTarget {
  readonly host: string;
  readonly prefix: string;
}

export function parseRegistry(value: string): RegistryTarget | undefined {
  const match = /^([a-z0-9.-]+(?::\d+)?)((?:\/[a-z0-9._-]+)*)$/.exec(value);
  if (!match) return undefined;
  return { host: match[1] as string, prefix: (match[2] as string).replace(/^\//, '') };
}

/** The repository inside the registry host for a service's repository path. */
export function remoteRepository(target: RegistryTarget, path: string): string {
  return target.prefix ? `${target.prefix}/${path}` : path;
}

/** Registry access from flags and the environment: credentials only ever come from the environment. */
export function registryAccess(target: RegistryTarget, insecure: boolean, env: NodeJS.ProcessEnv): RegistryAccess {
  const username = env['CIOS_REGISTRY_USERNAME'];
  const password = env['CIOS_REGISTRY_PASSWORD'];
  return { registry: target.host, insecure, ...(username && password ? { credentials: { username, password } } : {}) };
}
