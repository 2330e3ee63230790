import type { EnvironmentInput } from '@cios/platform-spec';
import type { EnvironmentGeneratorSchema } from './schema.js';

/** The city of each Canadian region, for readable cluster names ("qa-toronto"). */
const CITY: Record<string, string> = {
  canadacentral: 'toronto',
  canadaeast: 'quebec',
  'ca-central-1': 'montreal',
  'ca-west-1': 'calgary',
  'northamerica-northeast1': 'montreal',
  'northamerica-northeast2': 'toronto',
};

/** The tiers a service can be in; every one gets its namespace written out. */
const TIERS = ['edge', 'core', 'ai', 'data'] as const;

/** Public hosts of a generated environment keep their first label under `<name>.cios.ca` (api.qa.cios.ca). */
export function defaultDomain(name: string): string {
  return `${name}.cios.ca`;
}

/** The catalog entry the options describe, with every choice written out for review. */
export function environmentInputFrom(options: EnvironmentGeneratorSchema): EnvironmentInput {
  const kind = options.kind as EnvironmentInput['kind'];
  const region = (options.region ?? 'canadacentral') as EnvironmentInput['clusters'][number]['region'];
  const prefix = options.namespacePrefix ?? options.name;
  const context = options.context ?? `cios-${options.name}`;
  const monitoringNamespace = `${prefix}-monitoring`;
  const backendType = options.backend ?? (kind === 'dev' ? 'local' : 'kubernetes');
  const backend: EnvironmentInput['backend'] =
    backendType === 'local'
      ? { type: 'local', path: 'terraform.tfstate' }
      : backendType === 's3'
        ? {
            type: 's3',
            bucket: options.stateBucket ?? '',
            key: options.name,
            region: (options.stateRegion ?? 'ca-central-1') as 'ca-central-1',
            useLockfile: true,
            encrypt: true,
          }
        : { type: 'kubernetes', secretSuffix: `cios-${options.name}`, namespace: 'kube-system', configContext: context };
  return {
    name: options.name,
    ...(options.description ? { description: options.description } : {}),
    kind,
    clusters: [{ name: options.clusterName ?? `${options.name}-${CITY[region] ?? 'primary'}`, context, region, role: 'primary' }],
    namespaces: Object.fromEntries(TIERS.map((tier) => [tier, `${prefix}-${tier}`])),
    monitoringNamespace,
    requiresApproval: options.requiresApproval ?? kind === 'prod',
    approver: options.approver ?? 'Product Manager/CTO Agent',
    requireDigests: kind === 'prod',
    backend,
    prometheusUrl: options.prometheusUrl ?? `http://prometheus.${monitoringNamespace}.svc:9090`,
    // Always a domain of its own: without one the environment would serve the production hosts (api.cios.ca …).
    domain: options.domain ?? defaultDomain(options.name),
  };
}
