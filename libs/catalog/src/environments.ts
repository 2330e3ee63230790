import type { EnvironmentInput } from '@cios/platform-spec';

/** dev: one cluster in Toronto, state on the engineer's disk, no approval. */
const dev: EnvironmentInput = {
  name: 'dev',
  description: 'Integration environment; deployed on every merge to main',
  kind: 'dev',
  clusters: [{ name: 'dev-toronto', context: 'cios-dev', region: 'canadacentral', role: 'primary' }],
  scaling: { replicaFactor: 1, autoscalingFactor: 0.3 },
  requiresApproval: false,
  backend: { type: 'local', path: 'terraform.tfstate' },
  prometheusUrl: 'http://prometheus.dev-monitoring.svc:9090',
  analysis: { intervalSeconds: 30, bakeSeconds: 120, failuresAllowed: 1, minRequests: 20 },
  domain: 'dev.cios.ca',
};

/** staging: production-like, state in a Secret of the staging cluster. */
const staging: EnvironmentInput = {
  name: 'staging',
  description: 'Pre-production; release candidates bake here before prod',
  kind: 'staging',
  clusters: [{ name: 'staging-toronto', context: 'cios-staging', region: 'canadacentral', role: 'primary' }],
  scaling: { replicaFactor: 1, autoscalingFactor: 0.5 },
  requiresApproval: false,
  backend: { type: 'kubernetes', secretSuffix: 'cios-staging', namespace: 'kube-system', configContext: 'cios-staging' },
  prometheusUrl: 'http://prometheus.staging-monitoring.svc:9090',
  analysis: { intervalSeconds: 60, bakeSeconds: 300, failuresAllowed: 1, minRequests: 50 },
  domain: 'staging.cios.ca',
};

/**
 * prod: Toronto serves, Montreal stands by for disaster recovery (RTO 4 h: restore the hourly
 * backups there and switch DNS). Digests and an approval are required.
 */
const prod: EnvironmentInput = {
  name: 'prod',
  description: 'Production for all tenants; data stays in Canada',
  kind: 'prod',
  clusters: [
    { name: 'prod-toronto', context: 'cios-prod-toronto', region: 'canadacentral', role: 'primary' },
    { name: 'prod-montreal', context: 'cios-prod-montreal', region: 'canadaeast', role: 'secondary' },
  ],
  scaling: { replicaFactor: 1, autoscalingFactor: 1 },
  requiresApproval: true,
  approver: 'Product Manager/CTO Agent',
  requireDigests: true,
  backend: { type: 's3', bucket: 'cios-terraform-state-ca', key: 'prod', region: 'ca-central-1', useLockfile: true, encrypt: true },
  prometheusUrl: 'http://prometheus.prod-monitoring.svc:9090',
  analysis: { intervalSeconds: 60, bakeSeconds: 900, failuresAllowed: 1, minRequests: 200 },
  domain: 'cios.ca',
  rpoMinutes: 60,
};

export const environmentInputs: EnvironmentInput[] = [dev, staging, prod];
