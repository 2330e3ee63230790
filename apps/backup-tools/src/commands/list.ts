import { groupBackups, type BackupEntry } from '../backups.js';
import type { Config } from '../config.js';
import { CliError } from '../errors.js';
import type { ServiceName } from '../naming.js';
import { openStore } from '../stores/open-store.js';

export const LIST_HELP = `Usage: cios-backup list [SERVICE] [--prefix URL] [--all] [--json]

Backups under BACKUP_DESTINATION (or --prefix), newest first: time, service, size, manifest URL.
Incomplete backups (no manifest: the run failed) are shown only with --all.
Exit: 0 listed, 1 failed, 2 usage.`;

export interface ListedBackup extends BackupEntry {
  readonly url: string;
}

export async function runList(config: Config, options: { service?: ServiceName; prefix?: string; all: boolean }): Promise<ListedBackup[]> {
  const destination = options.prefix ?? config.BACKUP_DESTINATION;
  if (!destination) throw new CliError('invalid configuration:\n  BACKUP_DESTINATION: required to list (or give --prefix)');
  const store = openStore(destination, config);
  return groupBackups(await store.list(), options.service)
    .filter((b) => options.all || b.complete)
    .map((b) => ({ ...b, url: store.url(b.manifest) }));
}

export function formatList(backups: readonly ListedBackup[]): string {
  if (backups.length === 0) return 'no backups\n';
  return `${backups.map((b) => `${b.takenAt}  ${b.service.padEnd(8)}  ${String(b.size).padStart(12)} bytes  ${b.complete ? '' : '(incomplete) '}${b.url}`).join('\n')}\n`;
}
