/**
 * The provider resources this library uses, imported by submodule path: the package index
 * eagerly loads all ~150 resource modules, which measured ~3x slower at start-up (bench/import-cost.mjs).
 */
export { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider/index.js';
export { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1/index.js';
export { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
export { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1/index.js';
export { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1/index.js';
export { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1/index.js';
export { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1/index.js';
export { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
export type { DeploymentV1SpecTemplateSpec, DeploymentV1SpecTemplateSpecContainer } from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
export { StatefulSetV1 } from '@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js';
export type { StatefulSetV1SpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js';
export { CronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1/index.js';
export type { CronJobV1SpecJobTemplateSpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/cron-job-v1/index.js';
export { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1/index.js';
export { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js';
export { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js';
export { IngressV1 } from '@cdktf/provider-kubernetes/lib/ingress-v1/index.js';
