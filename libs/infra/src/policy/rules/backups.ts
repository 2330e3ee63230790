import { cronMaxGapMinutes } from '@cios/platform-spec';
import { BACKUP_OF_LABEL } from '../../labels.js';
import { block, blocks, scopeKey, violationAt, type K8sObject } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

export const backupsRule: PolicyRule = {
  id: 'CIOS-DATA-002',
  title: 'Every stateful workload is backed up often enough for the RPO, with a retention',
  severity: 'error',
  reason: 'The RPO (1 hour) bounds how much clients lose in a disaster; only a scheduled, retained backup makes it true.',
  fix: 'Declare backup (schedule at least as often as the environment\'s rpoMinutes, retentionDays, image, command) for the stateful service; suspend backups only in a standby cluster, and give each cluster its own BACKUP_DESTINATION.',
  check({ model, environment, stacks }) {
    const out: RuleViolation[] = [];
    const roleOfCluster = new Map(environment.clusters.map((c) => [c.name, c.role]));
    const roleOfStack = new Map(stacks.map((s) => [s.name, roleOfCluster.get(s.cluster) ?? 'primary']));
    // The first job writing to each destination: a second one would mix restore points and prune the first's.
    const writers = new Map<string, K8sObject>();
    // Backup CronJobs by the stack, namespace and workload they back up.
    const backupsOf = new Map<string, K8sObject[]>();
    for (const j of model.byKind('CronJob')) {
      const of = j.labels[BACKUP_OF_LABEL];
      if (of === undefined) continue;
      const key = scopeKey(j.stack, j.namespace, of);
      backupsOf.set(key, [...(backupsOf.get(key) ?? []), j]);
    }
    for (const w of model.workloads.filter((x) => x.kind === 'StatefulSet')) {
      const jobs = backupsOf.get(scopeKey(w.stack, w.namespace, w.name)) ?? [];
      if (jobs.length === 0) {
        out.push(violationAt(w, `no backup CronJob labelled ${BACKUP_OF_LABEL}=${w.name}`));
        continue;
      }
      for (const job of jobs) {
        const schedule = String(block(job.body['spec'])?.['schedule'] ?? '');
        const gap = cronMaxGapMinutes(schedule);
        if (gap === undefined || gap > environment.rpoMinutes) {
          out.push(
            violationAt(job, `schedule "${schedule}" leaves ${gap === undefined ? 'an unknown' : `up to ${gap} minutes`} between backups; the RPO is ${environment.rpoMinutes} minutes`),
          );
        }
        const workload = model.workloadAt(job.address);
        const hasRetention = (workload?.containers ?? []).some((c) =>
          blocks(c['env']).some((e) => e['name'] === 'BACKUP_RETENTION_DAYS' && Number(e['value']) >= 1),
        );
        if (!hasRetention) out.push(violationAt(job, 'the backup job is given no BACKUP_RETENTION_DAYS'));
        const suspended = block(job.body['spec'])?.['suspend'] === true;
        if (suspended && roleOfStack.get(job.stack) !== 'secondary') {
          out.push(violationAt(job, 'is suspended in the primary cluster: no backups are taken'));
        }
        const destination = (workload?.containers ?? [])
          .flatMap((c) => blocks(c['env']))
          .find((e) => e['name'] === 'BACKUP_DESTINATION')?.['value'];
        if (typeof destination !== 'string') continue;
        const first = writers.get(destination);
        if (first) out.push(violationAt(job, `writes to ${destination}, as ${first.address} does: their backups mix and each one's pruning deletes the other's`));
        else writers.set(destination, job);
      }
    }
    return out;
  },
};
