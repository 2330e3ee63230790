import { required, type Config } from '../config.js';
import { CliError } from '../errors.js';
import type { EngineContext, EngineDump, Source } from '../engines/engine.js';
import { dumpPostgres } from '../engines/postgres.js';
import { dumpQdrant } from '../engines/qdrant.js';
import { dumpRedis } from '../engines/redis.js';
import { digestFile } from '../hash.js';
import type { Logger } from '../log.js';
import { formatManifest, type Artifact, type Manifest } from '../manifest.js';
import { MANIFEST_PART, formatStamp, stemOf, type ServiceName } from '../naming.js';
import { planRetention } from '../retention.js';
import { openStore } from '../stores/open-store.js';
import { withWorkdir } from '../workdir.js';

export const BACKUP_HELP = `Usage: cios-backup postgres [--format=custom] | redis [--rdb] | qdrant [--snapshot-all] [--json]

Backs up one data store to BACKUP_DESTINATION, then prunes that prefix:
  postgres   pg_dump --format=custom of every database that accepts connections (or BACKUP_DATABASES)
  redis      redis-cli --rdb: the server's RDB snapshot
  qdrant     a snapshot of every collection through the HTTP API (created, downloaded, deleted on the peer)

Objects: <destination>/<YYYYMMDDTHHMMSSZ>-<service>.<part> (part: <database>.dump and globals.sql (roles,
tablespaces: pg_dumpall --globals-only), rdb, <collection>.snapshot),
then <stamp>-<service>.manifest.json (sizes, sha256, tool versions, start and end) written last.
Retention: after the manifest is written, deletes this tool's objects directly under the destination whose
time is older than BACKUP_RETENTION_DAYS, never the newest complete backup, never other names or prefixes.

Environment: BACKUP_SOURCE_HOST, BACKUP_SOURCE_PORT, BACKUP_DESTINATION (s3://bucket/prefix/ or file:///dir/),
BACKUP_RETENTION_DAYS, BACKUP_ACCESS_KEY_ID + BACKUP_SECRET_ACCESS_KEY (else the SDK's default credentials),
BACKUP_S3_ENDPOINT (S3-compatible store), BACKUP_S3_REGION (ca-central-1); PGUSER (postgres), PGPASSWORD,
BACKUP_DATABASES; REDIS_PASSWORD; QDRANT_API_KEY.
Exit: 0 backed up, 1 failed or invalid configuration, 2 usage.`;

export interface BackupResult {
  readonly service: ServiceName;
  readonly manifest: string;
  readonly artifacts: readonly Artifact[];
  readonly deleted: readonly string[];
}

const DUMPERS: Record<ServiceName, (context: EngineContext, source: Source) => Promise<EngineDump>> = {
  postgres: dumpPostgres,
  redis: dumpRedis,
  qdrant: dumpQdrant,
};

export async function runBackup(service: ServiceName, config: Config, secrets: readonly string[], log: Logger, now: () => Date): Promise<BackupResult> {
  const why = `to back up ${service}`;
  const source = { host: required(config, 'BACKUP_SOURCE_HOST', why), port: required(config, 'BACKUP_SOURCE_PORT', why) };
  const destination = required(config, 'BACKUP_DESTINATION', why);
  const retentionDays = required(config, 'BACKUP_RETENTION_DAYS', why);
  const store = openStore(destination, config);
  const started = now();
  const stem = stemOf(formatStamp(started), service);

  // Names have one-second resolution: a second run in the same second must not overwrite the first's objects.
  const clash = (await store.list()).find((o) => o.name.startsWith(`${stem}.`));
  if (clash) throw new CliError(`${store.url(clash.name)} already exists: another backup started in the same second`);

  return withWorkdir(async (workdir) => {
    const dump = await DUMPERS[service]({ config, workdir, secrets, log }, source);
    const artifacts: Artifact[] = [];
    for (const file of dump.files) {
      const object = `${stem}.${file.part}`;
      const digest = await digestFile(file.path);
      log.info(`upload ${store.url(object)} (${digest.size} bytes)`);
      await store.putFile(object, file.path);
      artifacts.push({ object, kind: file.kind, name: file.name, ...digest });
    }
    const manifest: Manifest = {
      schema: 'cios-backup/v1',
      service,
      stem,
      startedAt: started.toISOString(),
      finishedAt: now().toISOString(),
      source,
      tools: dump.tools,
      artifacts,
    };
    const manifestName = `${stem}.${MANIFEST_PART}`;
    await store.putText(manifestName, formatManifest(manifest));
    log.info(`wrote ${store.url(manifestName)}`);

    // Pruned only after this backup is complete: a failed run never costs an older restore point.
    const plan = planRetention(await store.list(), now(), retentionDays);
    if (plan.delete.length > 0) {
      log.info(`retention ${retentionDays} days: deleting ${plan.delete.length} objects (${plan.delete.join(', ')})`);
      await store.delete(plan.delete);
    }
    return { service, manifest: store.url(manifestName), artifacts, deleted: plan.delete };
  });
}

export function formatBackupResult(result: BackupResult): string {
  const lines = [`${result.service}: ${result.manifest}`];
  for (const a of result.artifacts) lines.push(`  ${a.object}  ${a.size} bytes  sha256 ${a.sha256}`);
  lines.push(`  pruned ${result.deleted.length} objects`);
  return `${lines.join('\n')}\n`;
}
