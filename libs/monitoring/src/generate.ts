import type { Platform, SloPolicyInput } from '@cios/platform-spec';
import { alertmanagerConfig, routeExpectations, type AlertmanagerOptions } from './alertmanager.js';
import { overviewDashboard, serviceDashboard } from './dashboards.js';
import { kubeStateMetricsValues } from './kube-state-metrics.js';
import { resolveModel, type MonitoringModel } from './model.js';
import { prometheusRule, serviceMonitor } from './operator.js';
import { promtoolTests } from './promtool-tests.js';
import { ruleFiles } from './rules.js';
import type { RuleFile } from './rule-types.js';
import { prometheusConfig } from './scrape.js';
import { toJson, toYaml } from './yaml.js';

export type MonitoringFormat = 'files' | 'operator';

export interface GenerateOptions {
  readonly platform: Platform;
  readonly environment: string;
  readonly format: MonitoringFormat;
  /**
   * SLO period, burn tiers, low-traffic guard …, field by field over the platform's `sloPolicy` (itself over
   * the defaults, which follow the SRE workbook over 30 days).
   */
  readonly policy?: SloPolicyInput;
  /** Names `policy` in errors (the file it was read from). */
  readonly policySource?: string;
  readonly alertmanager?: AlertmanagerOptions;
  /**
   * The cluster of `environment` whose Prometheus and Alertmanager load this configuration. A secondary
   * (standby) cluster's alerts carry a `cluster` label and its Alertmanager turns pages into tickets.
   * @default the environment's primary cluster — whose output is what it was before clusters were named.
   */
  readonly cluster?: string;
}

export interface GeneratedMonitoring {
  /** Relative path → content; paths sorted, content byte-identical for identical inputs. */
  readonly files: Record<string, string>;
  readonly model: MonitoringModel;
  readonly rules: readonly RuleFile[];
  /**
   * The `operator` format's Kubernetes objects (ServiceMonitors, then PrometheusRules), the very objects its
   * `operator/` files hold, for whoever applies them without reading YAML back; empty in the `files` format.
   */
  readonly objects: readonly unknown[];
}

/** Where each kind of file goes, relative to the output directory. */
export const LAYOUT = {
  prometheusConfig: 'prometheus/prometheus.yml',
  rules: (name: string) => `prometheus/rules/${name}.rules.yml`,
  tests: (name: string) => `prometheus/tests/${name}.test.yml`,
  alertmanager: 'alertmanager/alertmanager.yml',
  routeTests: 'alertmanager/route-tests.json',
  dashboard: (name: string) => `grafana/dashboards/${name}.json`,
  serviceMonitor: (name: string) => `operator/servicemonitors/${name}.yaml`,
  prometheusRule: (name: string) => `operator/prometheusrules/${name}.yaml`,
  kubeStateMetrics: 'kube-state-metrics/values.yaml',
} as const;

/**
 * Everything monitoring needs for one environment, on one of its clusters (the primary by default), as files.
 * Pure: no I/O, no clock; the same platform and options always give byte-identical output.
 */
export function generateMonitoring(options: GenerateOptions): GeneratedMonitoring {
  const model = resolveModel(options.platform, options.environment, options.policy, options.policySource, options.cluster);
  const rules = ruleFiles(model);
  const files: Record<string, string> = {};
  const objects: unknown[] = [];
  const object = (path: string, value: unknown) => {
    objects.push(value);
    files[path] = toYaml(value);
  };
  if (options.format === 'files') {
    files[LAYOUT.prometheusConfig] = toYaml(prometheusConfig(model.environment, model.policy));
    for (const file of rules) files[LAYOUT.rules(file.name)] = toYaml({ groups: file.groups });
  } else {
    for (const s of model.services) {
      if (s.service.health.protocol === 'tcp') continue;
      object(LAYOUT.serviceMonitor(s.service.name), serviceMonitor(model.environment, s));
    }
    for (const file of rules) object(LAYOUT.prometheusRule(file.name), prometheusRule(model.environment, file));
  }
  for (const [name, test] of promtoolTests(model, rules)) files[LAYOUT.tests(name)] = toYaml(test);
  const ksm = kubeStateMetricsValues();
  files[LAYOUT.kubeStateMetrics] = `${ksm.header}\n${toYaml(ksm.values)}`;
  files[LAYOUT.alertmanager] = toYaml(alertmanagerConfig(options.platform, model.environment, options.alertmanager, model.cluster));
  files[LAYOUT.routeTests] = toJson(routeExpectations(options.platform, model.cluster));
  for (const s of model.services) files[LAYOUT.dashboard(s.service.name)] = toJson(serviceDashboard(model, s));
  files[LAYOUT.dashboard('overview')] = toJson(overviewDashboard(model));
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { files: sorted, model, rules, objects };
}
