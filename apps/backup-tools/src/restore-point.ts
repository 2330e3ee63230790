import { groupBackups } from './backups.js';
import type { Config } from './config.js';
import { CliError } from './errors.js';
import { parseManifest, type Manifest } from './manifest.js';
import { MANIFEST_PART, parseObjectName, type ServiceName } from './naming.js';
import { splitObjectUrl } from './stores/destination.js';
import type { ObjectStore } from './stores/object-store.js';
import { openStore } from './stores/open-store.js';

export interface RestorePoint {
  readonly store: ObjectStore;
  readonly manifest: Manifest;
  readonly manifestUrl: string;
}

/**
 * `--from URL` names any object of a backup (its manifest or an artifact); without it, the newest complete backup
 * of the service under the destination.
 */
export async function findRestorePoint(config: Config, options: { from?: string; destination?: string; service?: ServiceName }): Promise<RestorePoint> {
  let store: ObjectStore;
  let manifestName: string;
  if (options.from) {
    const { destination, name } = splitObjectUrl(options.from);
    const parsed = parseObjectName(name);
    if (!parsed) throw new CliError(`--from ${options.from}: not a cios-backup object (<YYYYMMDDTHHMMSSZ>-<service>.<part>)`);
    if (options.service && parsed.service !== options.service) {
      throw new CliError(`--from ${options.from}: a ${parsed.service} backup, not ${options.service}`);
    }
    store = openStore(destination, config);
    manifestName = `${parsed.stem}.${MANIFEST_PART}`;
  } else {
    if (!options.destination) throw new CliError('invalid configuration:\n  BACKUP_DESTINATION: required without --from (or give --prefix)');
    store = openStore(options.destination, config);
    const newest = groupBackups(await store.list(), options.service).find((b) => b.complete);
    if (!newest) throw new CliError(`no complete ${options.service ?? ''} backup under ${options.destination}`.replace('  ', ' '));
    manifestName = newest.manifest;
  }
  const url = store.url(manifestName);
  let text: string;
  try {
    text = await store.getText(manifestName);
  } catch (error) {
    throw new CliError(`${url}: cannot read the manifest (${(error as Error).message}); an incomplete backup has none`);
  }
  return { store, manifest: parseManifest(text, url), manifestUrl: url };
}
