import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Source } from '../engines/engine.js';
import { restorePostgres, restorePostgresGlobals } from '../engines/postgres.js';
import { restoreQdrantCollection } from '../engines/qdrant.js';
import { restoreRedis } from '../engines/redis.js';
import { CliError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Artifact } from '../manifest.js';
import { formatStamp, type ServiceName } from '../naming.js';
import { findRestorePoint } from '../restore-point.js';
import { withWorkdir } from '../workdir.js';
import { checkArtifact } from './verify.js';

export const RESTORE_HELP = `Usage: cios-backup restore SERVICE --from URL [options] [--json]

Downloads the backup --from names (its manifest or any of its objects), checks every artifact's sha256 against
the manifest (a mismatch restores nothing), then:
  postgres  pg_restore --exit-on-error of the dump of --database into --host/--port (default BACKUP_SOURCE_HOST
            and BACKUP_SOURCE_PORT) as PGUSER with PGPASSWORD. --create creates the database first (fresh
            server); --clean --if-exists drops the objects it restores first (existing database).
  redis     into --data-dir (default /data: the master's volume, mounted into this pod while the StatefulSet is
            scaled to 0): the RDB becomes the base of a new appendonlydir (Redis 7 with appendonly yes loads
            only its AOF) and dump.rdb (appendonly no); the old appendonlydir is renamed, not deleted.
            Redis must be stopped; start it again afterwards and the replicas resynchronise from it.
  qdrant    uploads each collection's snapshot (or only --collection) through
            POST /collections/<name>/snapshots/upload?priority=snapshot to --host/--port.

  --from URL          restore point (required): e.g. s3://bucket/postgres/prod/prod-toronto/<stamp>-postgres.manifest.json
  --database DB       postgres: which database's dump (required when the backup holds several)
  --create | --clean | --if-exists   postgres: passed to pg_restore
  --globals           postgres: first replay the backup's roles and tablespaces (globals.sql) with psql, going
                      on past errors such as "role … already exists" (printed): needed on a fresh cluster when
                      the database's objects belong to roles other than the superuser
  --host H --port P   postgres, qdrant: the target server
  --data-dir DIR      redis: the data volume (default /data)
  --collection NAME   qdrant: only this collection
Exit: 0 restored, 1 failed or refused (checksum mismatch, missing database), 2 usage.`;

export interface RestoreOptions {
  readonly service: ServiceName;
  readonly from: string;
  readonly database?: string;
  readonly create: boolean;
  readonly clean: boolean;
  readonly ifExists: boolean;
  /** postgres: replay roles and tablespaces before the database. */
  readonly globals: boolean;
  readonly host?: string;
  readonly port?: number;
  readonly dataDir: string;
  readonly collection?: string;
}

export interface RestoreResult {
  readonly service: ServiceName;
  readonly manifest: string;
  readonly restored: readonly string[];
  readonly target: string;
  readonly movedAof?: string;
  /** postgres --globals: psql's errors while replaying roles (e.g. "already exists"). */
  readonly globalsErrors?: readonly string[];
}

function targetOf(config: Config, options: RestoreOptions): Source {
  const host = options.host ?? config.BACKUP_SOURCE_HOST;
  const port = options.port ?? config.BACKUP_SOURCE_PORT;
  if (!host) throw new CliError('invalid configuration:\n  BACKUP_SOURCE_HOST: required to restore without --host');
  if (!port) throw new CliError('invalid configuration:\n  BACKUP_SOURCE_PORT: required to restore without --port');
  return { host, port };
}

function pick(artifacts: readonly Artifact[], wanted: string | undefined, what: string): Artifact[] {
  if (wanted === undefined) return [...artifacts];
  const found = artifacts.filter((a) => a.name === wanted);
  if (found.length === 0) throw new CliError(`the backup holds no ${what} "${wanted}" (it holds: ${artifacts.map((a) => a.name).join(', ')})`);
  return found;
}

export async function runRestore(config: Config, secrets: readonly string[], log: Logger, now: () => Date, options: RestoreOptions): Promise<RestoreResult> {
  const point = await findRestorePoint(config, { from: options.from, service: options.service });
  const { manifest, store } = point;
  const context = (workdir: string) => ({ config, workdir, secrets, log });

  let chosen: Artifact[];
  if (options.service === 'postgres') {
    const databases = manifest.artifacts.filter((a) => a.kind === 'database');
    if (options.database === undefined && databases.length > 1) {
      throw new UsageError(`restore postgres: --database is required: the backup holds ${databases.map((a) => a.name).join(', ')}`);
    }
    chosen = pick(databases, options.database ?? databases[0]?.name, 'database');
    if (options.globals) {
      const globals = manifest.artifacts.find((a) => a.kind === 'globals');
      if (!globals) throw new CliError('--globals: this backup holds no roles (globals.sql)');
      chosen = [globals, ...chosen];
    }
  } else if (options.service === 'qdrant') {
    chosen = pick(manifest.artifacts, options.collection, 'collection');
  } else {
    chosen = [...manifest.artifacts];
  }

  return withWorkdir(async (dir) => {
    // Every file is downloaded and checked before anything is restored: a corrupt backup changes nothing.
    const files: { artifact: Artifact; path: string }[] = [];
    for (const [i, artifact] of chosen.entries()) {
      const path = join(dir, `artifact-${i}`);
      log.info(`download ${store.url(artifact.object)}`);
      await store.getFile(artifact.object, path);
      const problems = await checkArtifact(artifact, path);
      if (problems.length > 0) throw new CliError(`${store.url(artifact.object)} does not match its manifest: ${problems.join('; ')}; nothing restored`);
      files.push({ artifact, path });
    }
    const base = { service: options.service, manifest: point.manifestUrl, restored: files.map((f) => f.artifact.name) };
    if (options.service === 'postgres') {
      const target = targetOf(config, options);
      const globals = files.find((f) => f.artifact.kind === 'globals');
      const file = files.find((f) => f.artifact.kind === 'database');
      if (!file) throw new CliError('the backup holds no dump');
      const globalsErrors = globals ? await restorePostgresGlobals(context(dir), target, globals.path) : undefined;
      for (const line of globalsErrors ?? []) log.info(`roles: ${line.trim()}`);
      await restorePostgres(context(dir), target, file.path, {
        database: file.artifact.name,
        create: options.create,
        clean: options.clean,
        ifExists: options.ifExists,
      });
      return { ...base, target: `${target.host}:${target.port}/${file.artifact.name}`, ...(globalsErrors ? { globalsErrors } : {}) };
    }
    if (options.service === 'redis') {
      const [file] = files;
      if (!file) throw new CliError('the backup holds no RDB');
      const result = await restoreRedis(file.path, options.dataDir, formatStamp(now()));
      if (result.movedAof) log.info(`moved ${join(options.dataDir, 'appendonlydir')} to ${result.movedAof}`);
      return { ...base, target: result.rdb, ...(result.movedAof ? { movedAof: result.movedAof } : {}) };
    }
    const target = targetOf(config, options);
    for (const file of files) await restoreQdrantCollection(context(dir), target, file.artifact.name, file.path);
    return { ...base, target: `${target.host}:${target.port}` };
  });
}

export function formatRestore(result: RestoreResult): string {
  return `restored ${result.service} ${result.restored.join(', ')} from ${result.manifest} into ${result.target}${result.movedAof ? ` (AOF moved to ${result.movedAof})` : ''}\n`;
}
