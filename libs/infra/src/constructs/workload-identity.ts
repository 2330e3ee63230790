import type { ITerraformDependable } from '../cdktf.js';
import type { Construct } from '../cdktf.js';
import type { Service } from '@cios/platform-spec';
import { ConfigMapV1, ServiceAccountV1 } from '../k8s.js';

type Metadata = (name: string) => { name: string; namespace: string; labels: Record<string, string> };

/**
 * What every workload gets before its pods: its own ServiceAccount (token not mounted unless the
 * spec asks) and, when it has plain settings, the ConfigMap holding them.
 * @returns the ConfigMap's name, or undefined when there are no plain settings
 */
export function workloadIdentityAndConfig(
  scope: Construct,
  service: Service,
  metadata: Metadata,
  dependsOn: ITerraformDependable[] | undefined,
): string | undefined {
  new ServiceAccountV1(scope, 'service-account', {
    metadata: metadata(service.name),
    automountServiceAccountToken: service.automountServiceAccountToken,
    dependsOn,
  });
  if (Object.keys(service.config.env).length === 0) return undefined;
  const configMapName = `${service.name}-config`;
  new ConfigMapV1(scope, 'config', { metadata: metadata(configMapName), data: sortedRecord(service.config.env), dependsOn });
  return configMapName;
}

/** Keys in code-point order, so synthesized JSON does not depend on the order a spec was written in. */
export function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
