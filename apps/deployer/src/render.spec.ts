import { describe, expect, it } from 'vitest';
import { needsCluster, stateBackendContexts } from './render.js';

const stack = (config: object): string => JSON.stringify(config);

describe('what a stack needs of the cluster before Terraform can run', () => {
  const kubernetesBackend = stack({ terraform: { backend: { kubernetes: { secret_suffix: 'cios-staging-platform', config_context: 'cios-staging' } } }, resource: {} });
  const localBackend = stack({ terraform: { backend: { local: { path: 'terraform.tfstate' } } }, provider: { kubernetes: [{ config_context: 'cios-dev' }] } });

  it('lists the contexts of kubernetes state backends, once each and sorted, and none for a local backend', () => {
    expect(stateBackendContexts([kubernetesBackend, localBackend, kubernetesBackend])).toEqual(['cios-staging']);
    expect(stateBackendContexts([localBackend])).toEqual([]);
  });

  it('tells a stack that talks to the cluster from one that only keeps its state there', () => {
    expect(needsCluster([localBackend])).toBe(true);
    expect(needsCluster([kubernetesBackend])).toBe(false);
  });
});
