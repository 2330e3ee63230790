import type { Config } from '../config.js';
import { CliError } from '../errors.js';
import type { Logger } from '../log.js';
import { planRetention } from '../retention.js';
import { openStore } from '../stores/open-store.js';

export const PRUNE_HELP = `Usage: cios-backup prune [--prefix URL] [--retention-days N] [--all-expired] [--dry-run] [--json]

Applies the retention to BACKUP_DESTINATION (or --prefix) without taking a backup: deletes this tool's objects
directly under the prefix whose time is older than BACKUP_RETENTION_DAYS (or --retention-days), never the
newest complete backup of a service, never other names or nested prefixes. Every backup run does this for its
own prefix; run it by hand for a prefix no backup writes to any more, e.g. the layout before per-cluster
prefixes (s3://bucket/<service>/), with --all-expired so that its newest backup goes once it is expired too.
--dry-run lists what would be deleted and deletes nothing.
Exit: 0 pruned (or nothing to prune), 1 failed or invalid configuration, 2 usage.`;

export interface PruneOptions {
  readonly prefix?: string;
  readonly retentionDays?: number;
  /** Also the newest complete backup of each service, when it is expired. */
  readonly allExpired: boolean;
  readonly dryRun: boolean;
}

export interface PruneResult {
  readonly prefix: string;
  readonly retentionDays: number;
  readonly dryRun: boolean;
  readonly deleted: readonly string[];
  readonly kept: number;
  readonly newestComplete?: string;
}

export async function runPrune(config: Config, log: Logger, now: () => Date, options: PruneOptions): Promise<PruneResult> {
  const destination = options.prefix ?? config.BACKUP_DESTINATION;
  const retentionDays = options.retentionDays ?? config.BACKUP_RETENTION_DAYS;
  if (!destination || retentionDays === undefined) {
    const missing = [
      ...(destination ? [] : ['  BACKUP_DESTINATION: required to prune (or give --prefix)']),
      ...(retentionDays !== undefined ? [] : ['  BACKUP_RETENTION_DAYS: required to prune (or give --retention-days)']),
    ];
    throw new CliError(`invalid configuration:\n${missing.join('\n')}`);
  }
  const store = openStore(destination, config);
  const plan = planRetention(await store.list(), now(), retentionDays, { keepNewest: !options.allExpired });
  if (plan.delete.length > 0 && !options.dryRun) {
    log.info(`retention ${retentionDays} days: deleting ${plan.delete.length} objects under ${store.url('')}`);
    await store.delete(plan.delete);
  }
  return {
    prefix: store.url(''),
    retentionDays,
    dryRun: options.dryRun,
    deleted: plan.delete,
    kept: plan.keep.length,
    ...(plan.newestComplete ? { newestComplete: plan.newestComplete } : {}),
  };
}

export function formatPrune(result: PruneResult): string {
  const verb = result.dryRun ? 'would delete' : 'deleted';
  const lines = [`${result.prefix}: retention ${result.retentionDays} days, ${verb} ${result.deleted.length} objects, kept ${result.kept}`];
  for (const name of result.deleted) lines.push(`  ${verb} ${name}`);
  if (result.newestComplete) lines.push(`  newest complete backup kept whatever its age: ${result.newestComplete}`);
  return `${lines.join('\n')}\n`;
}
