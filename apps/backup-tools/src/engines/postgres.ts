import { join } from 'node:path';
import type { Config } from '../config.js';
import { CliError } from '../errors.js';
import { run, toolVersion } from '../exec.js';
import { safePart } from '../naming.js';
import type { EngineContext, EngineDump, Source } from './engine.js';

/** libpq's variables only: the password travels in PGPASSWORD, never in argv or a connection string. */
function pgEnv(config: Config): Record<string, string> {
  return {
    PGUSER: config.PGUSER,
    PGCONNECT_TIMEOUT: '30',
    PGAPPNAME: 'cios-backup',
    ...(config.PGPASSWORD ? { PGPASSWORD: config.PGPASSWORD } : {}),
  };
}

function target(source: Source): string[] {
  return ['--host', source.host, '--port', String(source.port)];
}

/** Every database that accepts connections, templates excepted: one dump each. */
export async function listDatabases(context: EngineContext, source: Source): Promise<string[]> {
  const { stdout } = await run(
    'psql',
    [
      ...target(source),
      '--dbname=postgres',
      '--no-psqlrc',
      '--tuples-only',
      '--no-align',
      '--set=ON_ERROR_STOP=1',
      '--command=SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname',
    ],
    { env: pgEnv(context.config), secrets: context.secrets },
  );
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

export async function dumpPostgres(context: EngineContext, source: Source): Promise<EngineDump> {
  const databases = context.config.BACKUP_DATABASES ?? (await listDatabases(context, source));
  if (databases.length === 0) throw new CliError(`no database to dump on ${source.host}:${source.port}`);
  const files = [];
  for (const database of databases) {
    const part = `${safePart(database)}.dump`;
    const path = join(context.workdir, part);
    context.log.info(`pg_dump ${database} from ${source.host}:${source.port}`);
    await run('pg_dump', [...target(source), '--format=custom', `--file=${path}`, '--dbname', database], {
      env: pgEnv(context.config),
      secrets: context.secrets,
    });
    files.push({ kind: 'database' as const, name: database, part, path });
  }
  // Roles and tablespaces live outside every database: without them a fresh cluster (the DR standby) cannot
  // restore objects owned by a service's role. The file holds the roles' password hashes, as the dumps hold data.
  const globals = join(context.workdir, 'globals.sql');
  context.log.info(`pg_dumpall --globals-only from ${source.host}:${source.port}`);
  await run('pg_dumpall', [...target(source), '--globals-only', `--file=${globals}`], { env: pgEnv(context.config), secrets: context.secrets });
  files.push({ kind: 'globals' as const, name: 'globals', part: 'globals.sql', path: globals });
  return { tools: { pg_dump: await toolVersion('pg_dump'), pg_dumpall: await toolVersion('pg_dumpall') }, files };
}

/** pg_restore reads the archive's table of contents: a truncated or foreign file fails here. */
export async function checkPostgresArchive(context: Pick<EngineContext, 'secrets'>, path: string): Promise<number> {
  const { stdout } = await run('pg_restore', ['--list', path], { env: {}, secrets: context.secrets });
  return stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).length;
}

/**
 * Replays the roles and tablespaces. Not stopped by errors: on a server that already has some roles (the
 * superuser always) their CREATE fails with "already exists" and the rest must still run. Returns psql's error
 * lines for the report.
 */
export async function restorePostgresGlobals(context: EngineContext, target_: Source, path: string): Promise<string[]> {
  context.log.info(`psql roles and tablespaces into ${target_.host}:${target_.port}`);
  const { stderr } = await run('psql', [...target(target_), '--dbname=postgres', '--no-psqlrc', '--quiet', `--file=${path}`], {
    env: pgEnv(context.config),
    secrets: context.secrets,
  });
  return stderr.split('\n').filter((l) => l.includes('ERROR:'));
}

export interface PostgresRestoreOptions {
  readonly database: string;
  /** Create the database (connecting to "postgres" first): for a fresh server. */
  readonly create: boolean;
  readonly clean: boolean;
  readonly ifExists: boolean;
}

export async function restorePostgres(context: EngineContext, target_: Source, path: string, options: PostgresRestoreOptions): Promise<void> {
  const args = [
    ...target(target_),
    `--dbname=${options.create ? 'postgres' : options.database}`,
    '--exit-on-error',
    ...(options.create ? ['--create'] : []),
    ...(options.clean ? ['--clean'] : []),
    ...(options.ifExists ? ['--if-exists'] : []),
    path,
  ];
  context.log.info(`pg_restore into ${options.database} on ${target_.host}:${target_.port}${options.clean ? ' (clean)' : ''}`);
  await run('pg_restore', args, { env: pgEnv(context.config), secrets: context.secrets });
}
