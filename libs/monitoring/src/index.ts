export { Decimal, formatNumber } from './decimal.js';
export { goFormat4g, humanizeDuration, humanizePercentage } from './humanize.js';
export { resolveModel, isStandby, alertScopeLabels, type MonitoringModel, type ResolvedService, type ResolvedSlo, type ResolvedTier } from './model.js';
export { effectivePolicy } from './policy.js';
export * from './promql.js';
export type { AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup } from './rule-types.js';
export { isAlert } from './rule-types.js';
export { sloRuleGroup, sloIdentity, trafficRuleGroup } from './slo-rules.js';
export { backupOverdueExpr, kubernetesRuleGroup, platformRuleGroups, podPattern } from './kubernetes-rules.js';
export { ruleFiles, PLATFORM_RULE_FILE } from './rules.js';
export {
  KUBE_STATE_METRICS_ANNOTATIONS,
  KUBE_STATE_METRICS_LABELS,
  kubeStateMetricsArgs,
  kubeStateMetricsLabel,
  kubeStateMetricsValues,
} from './kube-state-metrics.js';
export { alertmanagerConfig, routeExpectations, RECEIVERS, type AlertmanagerOptions, type RouteExpectation } from './alertmanager.js';
export { prometheusConfig, serviceNamespaces, SERVICE_PODS_JOB } from './scrape.js';
export { serviceMonitor, prometheusRule } from './operator.js';
export { serviceDashboard, overviewDashboard, releaseAnnotation } from './dashboards.js';
export { dashboardUid, dashboardUrl, overviewDashboardUid, overviewDashboardUrl, runbookUrl, GRAFANA_UID_MAX_LENGTH } from './links.js';
export { promtoolTests, burnSeries, trafficSeries, testStepMs, TEST_MARGIN, type PromtoolTestFile, type PromtoolTestCase } from './promtool-tests.js';
export { generateMonitoring, LAYOUT, type GenerateOptions, type GeneratedMonitoring, type MonitoringFormat } from './generate.js';
export {
  validateDirectory,
  runTool,
  findTool,
  ToolMissingError,
  TOOL_PACKAGES,
  type CheckResult,
  type ToolResult,
  type ValidationReport,
  type ValidateOptions,
} from './tools.js';
export { GENERATED_MARKER, OutputDirectoryError, writeFilesAtomically } from './write.js';
export { toYaml, toJson } from './yaml.js';
