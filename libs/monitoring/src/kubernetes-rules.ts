import { namespaceFor, type Tier } from '@cios/platform-spec';
import { POD_NAME_LABEL, POD_VERSION_LABEL, SUSPENDED_BECAUSE_ANNOTATION, kubeStateMetricsLabel } from './kube-state-metrics.js';
import { kubernetesRunbookUrl, dashboardUrl, overviewDashboardUrl } from './links.js';
import { alertScopeLabels, type MonitoringModel, type ResolvedService } from './model.js';
import { POD_RELEASE_INFO, RELEASE_INFO, selector } from './promql.js';
import type { AlertingRule, RuleGroup } from './rule-types.js';

/** Share of free space below which a data volume alerts. */
export const VOLUME_FREE_RATIO = '0.15';

/**
 * kube-state-metrics and kubelet alerts for one service. Workloads are found by the names the infra
 * constructs give them: the Deployment/StatefulSet/HPA/container are named after the service, volumes
 * are `data-<service>-<ordinal>`, the backup CronJob is `<service>-backup`.
 */
export function kubernetesRuleGroup(model: MonitoringModel, s: ResolvedService): RuleGroup | undefined {
  const { service, namespace } = s;
  const ns = { namespace };
  const name = service.name;
  const prod = model.environment.kind === 'prod';
  const alerts: AlertingRule[] = [];
  const alert = (
    alertName: string,
    expr: string,
    forDuration: string,
    severity: 'page' | 'ticket',
    summary: string,
    description: string,
  ): void => {
    alerts.push({
      alert: alertName,
      expr,
      for: forDuration,
      labels: { severity, ...alertScopeLabels(model), service: name, scope: 'service' },
      annotations: {
        summary,
        description,
        runbook_url: kubernetesRunbookUrl(model.policy, alertName),
        dashboard_url: dashboardUrl(model.policy, name, model.environment.name),
      },
    });
  };
  alert(
    'KubePodCrashLooping',
    `max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason${selector({ ...ns, container: name, reason: 'CrashLoopBackOff' })}[5m])) >= 1`,
    '15m',
    'ticket',
    `${name}: a container is crash looping in ${model.environment.name}`,
    'Pod {{ $labels.pod }} ({{ $labels.namespace }}) has been in CrashLoopBackOff for 15 minutes.',
  );
  alert(
    'KubeContainerWaiting',
    `sum by (namespace, pod, container) (kube_pod_container_status_waiting_reason${selector({ ...ns, container: name }, ['reason!="CrashLoopBackOff"'])}) > 0`,
    '1h',
    'ticket',
    `${name}: a container has been waiting for an hour in ${model.environment.name}`,
    'Container {{ $labels.container }} of pod {{ $labels.pod }} has been waiting (image pull, config error, scheduling) for an hour.',
  );
  alert(
    'KubePodNotReady',
    `sum by (namespace, pod) (kube_pod_status_ready${selector({ ...ns, condition: 'false' }, [`pod=~${JSON.stringify(podPattern(name, service.workload))}`])}) > 0`,
    '15m',
    'ticket',
    `${name}: a pod has not been ready for 15 minutes in ${model.environment.name}`,
    'Pod {{ $labels.pod }} ({{ $labels.namespace }}) fails its readiness probe and receives no traffic.',
  );

  if (s.replicas > 0) {
    const kind = service.workload === 'stateful' ? 'statefulset' : 'deployment';
    const w = selector({ ...ns, [kind]: name });
    const available =
      kind === 'deployment' ? `kube_deployment_status_replicas_available${w}` : `kube_statefulset_status_replicas_ready${w}`;
    const desired = kind === 'deployment' ? `kube_deployment_spec_replicas${w}` : `kube_statefulset_replicas${w}`;
    alert(
      'KubeReplicasUnavailable',
      // Desired count on the left: `$value` is the left side's, and the number the description gives.
      `${desired} > 0 and ${available} == 0`,
      '5m',
      prod ? 'page' : 'ticket',
      `${name} has no available replica in ${model.environment.name}`,
      `The ${kind} ${name} wants {{ $value }} replicas and none is available: the service is down.`,
    );
    alert(
      'KubeReplicasMismatch',
      `${desired} != ${available}`,
      '15m',
      'ticket',
      `${name} runs fewer replicas than desired in ${model.environment.name}`,
      `The ${kind} ${name} has not matched its desired replica count for 15 minutes.`,
    );
  }
  if (service.autoscaling && s.replicas > 0) {
    const hpa = selector({ ...ns, horizontalpodautoscaler: name });
    alert(
      'KubeHpaMaxedOut',
      `kube_horizontalpodautoscaler_status_current_replicas${hpa} >= kube_horizontalpodautoscaler_spec_max_replicas${hpa}`,
      '15m',
      'ticket',
      `${name} has been at its autoscaling maximum for 15 minutes in ${model.environment.name}`,
      'The autoscaler cannot add replicas: raise maxReplicas or find out why load grew.',
    );
  }
  if (service.storage) {
    const pvc = selector(ns, [`persistentvolumeclaim=~${JSON.stringify(`data-${name}-[0-9]+`)}`]);
    alert(
      'KubePersistentVolumeFillingUp',
      `kubelet_volume_stats_available_bytes${pvc} / kubelet_volume_stats_capacity_bytes${pvc} < ${VOLUME_FREE_RATIO}` +
        `\nand\npredict_linear(kubelet_volume_stats_available_bytes${pvc}[6h], 4 * 24 * 3600) < 0`,
      '1h',
      prod ? 'page' : 'ticket',
      `${name}: volume {{ $labels.persistentvolumeclaim }} will be full within 4 days in ${model.environment.name}`,
      `Less than ${Number(VOLUME_FREE_RATIO) * 100}% of {{ $labels.persistentvolumeclaim }} is free and it keeps filling.`,
    );
  }
  if (service.backup) {
    const rpoSeconds = model.environment.rpoMinutes * 60;
    const cronjob = { ...ns, cronjob: `${name}-backup` };
    alert(
      'BackupJobFailed',
      `max by (namespace, job_name) (kube_job_status_failed${selector(ns, [`job_name=~${JSON.stringify(`${name}-backup-[0-9]+`)}`])}) > 0`,
      '5m',
      'ticket',
      `${name}: a backup job failed in ${model.environment.name}`,
      'Backup job {{ $labels.job_name }} failed; the next scheduled run may still succeed, the RPO alert watches that.',
    );
    alert(
      'BackupOverdue',
      backupOverdueExpr(cronjob, rpoSeconds),
      '5m',
      prod ? 'page' : 'ticket',
      `${name}: no successful backup within the ${model.environment.rpoMinutes}-minute RPO in ${model.environment.name}`,
      `${name} has had no successful backup for {{ $value | humanizeDuration }} (since the last success, or since the backup CronJob was created if none ever succeeded); the recovery point objective is ${model.environment.rpoMinutes} minutes.`,
    );
  }
  return { name: `kubernetes-${name}`, rules: alerts };
}

/**
 * Seconds without a successful backup, above the RPO. kube-state-metrics exposes
 * kube_cronjob_status_last_successful_time only once a run has succeeded, so a CronJob that never succeeded
 * is measured from its creation (kube_cronjob_created) instead of staying silent forever. A CronJob suspended
 * on purpose (annotated with the reason, as the infra does for a standby cluster's backup) is not overdue;
 * one suspended without a reason is.
 */
export function backupOverdueExpr(labels: Readonly<Record<string, string>>, rpoSeconds: number): string {
  const cronjob = selector(labels);
  const annotated = `kube_cronjob_annotations${selector(labels, [`${kubeStateMetricsLabel('annotation', SUSPENDED_BECAUSE_ANNOTATION)}!=""`])}`;
  return (
    `(\n  (time() - kube_cronjob_status_last_successful_time${cronjob} > ${rpoSeconds})` +
    `\n  or\n  (time() - kube_cronjob_created${cronjob} > ${rpoSeconds} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time${cronjob})` +
    `\n)\nunless on (namespace, cronjob)\n(kube_cronjob_spec_suspend${cronjob} == 1 and on (namespace, cronjob) ${annotated})`
  );
}

/** Pod names of a workload: Deployment pods `<name>-<hash>-<suffix>`, StatefulSet pods `<name>-<ordinal>`. */
export function podPattern(name: string, workload: 'stateless' | 'stateful'): string {
  const escaped = name.replace(/[.]/g, '\\.');
  return workload === 'stateful' ? `${escaped}-[0-9]+` : `${escaped}-[a-z0-9]{5,10}-[a-z0-9]{5}`;
}

/**
 * Platform-wide rules: the release markers and the cluster outage alert that silences per-service alerts.
 */
export function platformRuleGroups(model: MonitoringModel): RuleGroup[] {
  const tiers: Tier[] = ['core', 'ai', 'data', 'edge'];
  const namespaces = [...new Set(tiers.map((t) => namespaceFor(model.environment, t)))].sort();
  const nsMatcher = `namespace=~${JSON.stringify(namespaces.join('|'))}`;
  const nameLabel = kubeStateMetricsLabel('label', POD_NAME_LABEL);
  const versionLabel = kubeStateMetricsLabel('label', POD_VERSION_LABEL);
  const podLabels = `kube_pod_labels${selector({}, [nsMatcher, `${nameLabel}!=""`, `${versionLabel}!=""`])}`;
  const outage: AlertingRule = {
    alert: 'ClusterOutage',
    expr: `avg(up${selector({}, [nsMatcher])}) < 0.5`,
    for: '5m',
    labels: { severity: 'page', ...alertScopeLabels(model), scope: 'cluster' },
    annotations: {
      summary: `More than half of the service targets in ${model.environment.name} are down`,
      description:
        'Only {{ $value | humanizePercentage }} of scrape targets answer: a cluster-wide outage (nodes, network, DNS). Per-service alerts are silenced while this fires.',
      runbook_url: kubernetesRunbookUrl(model.policy, 'ClusterOutage'),
      dashboard_url: overviewDashboardUrl(model.policy, model.environment.name),
    },
  };
  return [
    {
      name: 'cios-releases',
      rules: [
        {
          record: POD_RELEASE_INFO,
          expr: `max by (namespace, pod, service, release) (label_replace(label_replace(${podLabels}, "service", "$1", "${nameLabel}", "(.+)"), "release", "$1", "${versionLabel}", "(.+)"))`,
        },
        { record: RELEASE_INFO, expr: `max by (namespace, service, release) (${POD_RELEASE_INFO})` },
      ],
    },
    { name: 'cios-cluster', rules: [outage] },
  ];
}
