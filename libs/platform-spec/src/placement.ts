import type { Environment } from './environment.js';
import type { Service } from './service.js';

/** What placement reads of an environment: a service names environments by either. */
export type EnvironmentIdentity = Pick<Environment, 'name' | 'kind'>;

/**
 * Whether a key of a service's `environments` (or `replicas`) names `env`: its name ("qa") or its kind
 * ("staging"), the way `replicasIn` reads `replicas`, so one key means the same environments in both fields.
 */
export function namesEnvironment(key: string, env: EnvironmentIdentity): boolean {
  return key === env.name || key === env.kind;
}

/**
 * Whether `service` runs in `env`: without `environments`, everywhere; otherwise where one of its entries names
 * the environment or its kind. The one place that decides it: stacks, network policies, monitoring, releases and
 * plans all ask here, so no tool can deploy, watch or pin a service where another thinks it does not run.
 */
export function runsIn(service: Pick<Service, 'environments'>, env: EnvironmentIdentity): boolean {
  return service.environments === undefined || service.environments.some((key) => namesEnvironment(key, env));
}

/**
 * Where `service` runs, for a sentence about an environment it does not run in ("sample-api does not run in staging
 * (its environments: dev)"): one wording for every tool that refuses it.
 */
export function describePlacement(service: Pick<Service, 'environments'>): string {
  return service.environments === undefined ? 'it runs in every environment' : `its environments: ${service.environments.join(', ')}`;
}

/** The sentence every tool refuses a service with where it does not run: "sample-api does not run in staging (its environments: dev)". */
export function notRunningIn(service: Pick<Service, 'name' | 'environments'>, env: Pick<Environment, 'name'>): string {
  return `${service.name} does not run in ${env.name} (${describePlacement(service)})`;
}

/** The services of `platform` that run in `env` (see `runsIn`), in the catalog's order. */
export function servicesIn<S extends Pick<Service, 'environments'>>(platform: { readonly services: readonly S[] }, env: EnvironmentIdentity): S[] {
  return platform.services.filter((service) => runsIn(service, env));
}
