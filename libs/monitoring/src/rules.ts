import type { MonitoringModel } from './model.js';
import { kubernetesRuleGroup, platformRuleGroups } from './kubernetes-rules.js';
import type { RuleFile } from './rule-types.js';
import { sloRuleGroup, trafficRuleGroup } from './slo-rules.js';

/** Name of the rule file holding one SLO's group. */
export function sloRuleFileName(service: string, slo: string): string {
  return `${service}.slo-${slo}`;
}

export function trafficRuleFileName(service: string): string {
  return `${service}.traffic`;
}

export function kubernetesRuleFileName(service: string): string {
  return `${service}.kubernetes`;
}

export const PLATFORM_RULE_FILE = 'platform';

/**
 * One file per SLO, per service traffic guard and per service's Kubernetes alerts, plus the platform file.
 * Small files keep each promtool unit test to the rules it exercises, which is what makes them fast.
 */
export function ruleFiles(model: MonitoringModel): RuleFile[] {
  const files: RuleFile[] = [];
  for (const s of model.services) {
    const traffic = trafficRuleGroup(s);
    if (traffic) files.push({ name: trafficRuleFileName(s.service.name), groups: [traffic] });
    for (const r of s.slos) files.push({ name: sloRuleFileName(s.service.name, r.slo.name), groups: [sloRuleGroup(model, r)] });
    const kube = kubernetesRuleGroup(model, s);
    if (kube && kube.rules.length > 0) files.push({ name: kubernetesRuleFileName(s.service.name), groups: [kube] });
  }
  files.push({ name: PLATFORM_RULE_FILE, groups: platformRuleGroups(model) });
  return files;
}
