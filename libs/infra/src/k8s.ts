import { createRequire } from 'node:module';
import type * as KubernetesProviderModule from '@cdktf/provider-kubernetes/lib/provider/index.js';
import type * as NamespaceV1Module from '@cdktf/provider-kubernetes/lib/namespace-v1/index.js';
import type * as NetworkPolicyV1Module from '@cdktf/provider-kubernetes/lib/network-policy-v1/index.js';
import type * as ResourceQuotaV1Module from '@cdktf/provider-kubernetes/lib/resource-quota-v1/index.js';
import type * as LimitRangeV1Module from '@cdktf/provider-kubernetes/lib/limit-range-v1/index.js';
import type * as ServiceAccountV1Module from '@cdktf/provider-kubernetes/lib/service-account-v1/index.js';
import type * as ConfigMapV1Module from '@cdktf/provider-kubernetes/lib/config-map-v1/index.js';
import type * as DeploymentV1Module from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
import type * as StatefulSetV1Module from '@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js';
import type * as CronJobV1Module from '@cdktf/provider-kubernetes/lib/cron-job-v1/index.js';
import type * as ServiceV1Module from '@cdktf/provider-kubernetes/lib/service-v1/index.js';
import type * as HorizontalPodAutoscalerV2Module from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js';
import type * as PodDisruptionBudgetV1Module from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js';
import type * as IngressV1Module from '@cdktf/provider-kubernetes/lib/ingress-v1/index.js';
import type * as SecretV1Module from '@cdktf/provider-kubernetes/lib/secret-v1/index.js';
import type * as ManifestModule from '@cdktf/provider-kubernetes/lib/manifest/index.js';

/**
 * The provider resources this library uses, loaded by submodule path: the package index eagerly loads
 * all ~150 resource modules (~3x slower start-up, bench/synth-bench.mjs). They are CommonJS, and loaded
 * with `require` rather than `import` so Node does not pre-parse each multi-megabyte file with
 * cjs-module-lexer first (see cdktf.ts).
 */
const require = createRequire(import.meta.url);
const load = <T>(name: string): T => require(`@cdktf/provider-kubernetes/lib/${name}/index.js`) as T;

export const KubernetesProvider = load<typeof KubernetesProviderModule>('provider').KubernetesProvider;
export type KubernetesProvider = KubernetesProviderModule.KubernetesProvider;
export const NamespaceV1 = load<typeof NamespaceV1Module>('namespace-v1').NamespaceV1;
export type NamespaceV1 = NamespaceV1Module.NamespaceV1;
export const NetworkPolicyV1 = load<typeof NetworkPolicyV1Module>('network-policy-v1').NetworkPolicyV1;
export type NetworkPolicyV1 = NetworkPolicyV1Module.NetworkPolicyV1;
export const ResourceQuotaV1 = load<typeof ResourceQuotaV1Module>('resource-quota-v1').ResourceQuotaV1;
export type ResourceQuotaV1 = ResourceQuotaV1Module.ResourceQuotaV1;
export const LimitRangeV1 = load<typeof LimitRangeV1Module>('limit-range-v1').LimitRangeV1;
export type LimitRangeV1 = LimitRangeV1Module.LimitRangeV1;
export const ServiceAccountV1 = load<typeof ServiceAccountV1Module>('service-account-v1').ServiceAccountV1;
export type ServiceAccountV1 = ServiceAccountV1Module.ServiceAccountV1;
export const ConfigMapV1 = load<typeof ConfigMapV1Module>('config-map-v1').ConfigMapV1;
export type ConfigMapV1 = ConfigMapV1Module.ConfigMapV1;
export const DeploymentV1 = load<typeof DeploymentV1Module>('deployment-v1').DeploymentV1;
export type DeploymentV1 = DeploymentV1Module.DeploymentV1;
export const StatefulSetV1 = load<typeof StatefulSetV1Module>('stateful-set-v1').StatefulSetV1;
export type StatefulSetV1 = StatefulSetV1Module.StatefulSetV1;
export const CronJobV1 = load<typeof CronJobV1Module>('cron-job-v1').CronJobV1;
export type CronJobV1 = CronJobV1Module.CronJobV1;
export const ServiceV1 = load<typeof ServiceV1Module>('service-v1').ServiceV1;
export type ServiceV1 = ServiceV1Module.ServiceV1;
export const HorizontalPodAutoscalerV2 = load<typeof HorizontalPodAutoscalerV2Module>('horizontal-pod-autoscaler-v2').HorizontalPodAutoscalerV2;
export type HorizontalPodAutoscalerV2 = HorizontalPodAutoscalerV2Module.HorizontalPodAutoscalerV2;
export const PodDisruptionBudgetV1 = load<typeof PodDisruptionBudgetV1Module>('pod-disruption-budget-v1').PodDisruptionBudgetV1;
export type PodDisruptionBudgetV1 = PodDisruptionBudgetV1Module.PodDisruptionBudgetV1;
export const IngressV1 = load<typeof IngressV1Module>('ingress-v1').IngressV1;
export type IngressV1 = IngressV1Module.IngressV1;
export const SecretV1 = load<typeof SecretV1Module>('secret-v1').SecretV1;
export type SecretV1 = SecretV1Module.SecretV1;
/** Any object, custom resources included, applied server-side; its CRD must exist in the cluster at plan time. */
export const Manifest = load<typeof ManifestModule>('manifest').Manifest;
export type Manifest = ManifestModule.Manifest;
export type { DeploymentV1SpecTemplateSpec, DeploymentV1SpecTemplateSpecContainer } from '@cdktf/provider-kubernetes/lib/deployment-v1/index.js';
export type { StatefulSetV1SpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js';
export type { CronJobV1SpecJobTemplateSpecTemplateSpec } from '@cdktf/provider-kubernetes/lib/cron-job-v1/index.js';
