export { synthEnvironment, type SynthOptions, type SynthResult } from './synth.js';
export {
  synthMonitoringConfig,
  MONITORING_CONFIG_STACK,
  monitoringConfigStackName,
  type MonitoringConfigOptions,
  type MonitoringConfigResult,
} from './monitoring-config.js';
export { parseMonitoringObjects, checkDashboards, environmentNamespaces, OPERATOR_API_GROUP, MAX_DASHBOARD_BYTES } from './monitoring-config-input.js';
export { renderStacks, type RenderedStack, type RenderOptions, type TerraformConfig } from './render.js';
export { normalizeTerraform, terraformJsonText } from './normalize.js';
export { checkPolicy, formatFinding, PolicyError, type PolicyInput } from './policy/run.js';
export { POLICY_RULES } from './policy/registry.js';
export { validateSuppressions, SuppressionError, MIN_REASON_LENGTH } from './policy/suppressions.js';
export type {
  PolicyContext,
  PolicyFinding,
  PolicyReport,
  PolicyRule,
  RuleViolation,
  Severity,
  SuppressedFinding,
  Suppression,
} from './policy/types.js';
export { buildModel, type K8sObject, type PolicyModel, type Workload } from './policy/model.js';
export { CiosService, autoscalingBounds, type CiosServiceProps } from './constructs/cios-service.js';
export { CiosDataStore, type CiosDataStoreProps } from './constructs/cios-data-store.js';
export { CiosNamespace, type CiosNamespaceProps, type PodSecurityLevel } from './constructs/cios-namespace.js';
export {
  CiosMonitoringConfig,
  ALERTMANAGER_CONFIG_KEY,
  DEFAULT_ALERTMANAGER_SECRET,
  DEFAULT_DASHBOARD_LABELS,
  type CiosMonitoringConfigProps,
} from './constructs/cios-monitoring-config.js';
export { terraformLiteral, terraformLiteralDeep } from './terraform-literal.js';
export { INLINE_CREDENTIAL_KEYS } from './policy/rules/secret-data.js';
export type { Caller, WorkloadProps } from './constructs/service-common.js';
export { imageFor, UNRELEASED_TAG, type ResolvedImage } from './images.js';
export { serviceLabels, selectorLabels, BACKUP_OF_LABEL } from './labels.js';
export { renderSummary } from './summary.js';
