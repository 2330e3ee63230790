import type { MonitoringModel } from './model.js';
import { kubernetesRuleGroup, platformRuleGroups } from './kubernetes-rules.js';
import type { RuleFile, RuleGroup } from './rule-types.js';
import { sloRuleGroup, trafficRuleGroup } from './slo-rules.js';

/** One rule file per service (SLO groups, traffic guard, Kubernetes alerts) plus the platform file. */
export function ruleFiles(model: MonitoringModel): RuleFile[] {
  const files: RuleFile[] = model.services.map((s) => {
    const groups: RuleGroup[] = [];
    const traffic = trafficRuleGroup(s);
    if (traffic) groups.push(traffic);
    for (const r of s.slos) groups.push(sloRuleGroup(model, r));
    const kube = kubernetesRuleGroup(model, s);
    if (kube && kube.rules.length > 0) groups.push(kube);
    return { name: s.service.name, groups };
  });
  files.push({ name: 'platform', groups: platformRuleGroups(model) });
  return files;
}
