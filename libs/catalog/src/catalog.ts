import { Platform, parseSpec, type Environment, type PlatformInput, type Service } from '@cios/platform-spec';
import { environmentInputs } from './environments.js';
import { aiServices } from './services/ai.js';
import { coreServices } from './services/core.js';
import { dataServices } from './services/data.js';
import { edgeServices } from './services/edge.js';
import { SLO_POLICY } from './slo-policy.js';

/** The catalog as written, before validation and defaults. */
export const platformInput: PlatformInput = {
  services: [...edgeServices, ...coreServices, ...aiServices, ...dataServices],
  environments: environmentInputs,
  sloPolicy: SLO_POLICY,
};

/** Validated at import: a mistake in the catalog stops every tool with a SpecError naming the field. */
export const platform: Platform = parseSpec(Platform, platformInput, '@cios/catalog');
export const services: readonly Service[] = platform.services;
export const environments: readonly Environment[] = platform.environments;

export function getEnvironment(name: string): Environment {
  const env = environments.find((e) => e.name === name);
  if (!env) {
    throw new Error(`unknown environment "${name}"; the catalog has: ${environments.map((e) => e.name).join(', ')}`);
  }
  return env;
}

export function getService(name: string): Service {
  const service = services.find((s) => s.name === name);
  if (!service) {
    throw new Error(`unknown service "${name}"; the catalog has: ${services.map((s) => s.name).join(', ')}`);
  }
  return service;
}
