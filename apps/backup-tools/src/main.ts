import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BACKUP_HELP, formatBackupResult, runBackup } from './commands/backup.js';
import { LIST_HELP, formatList, runList } from './commands/list.js';
import { PRUNE_HELP, formatPrune, runPrune } from './commands/prune.js';
import { RESTORE_HELP, formatRestore, runRestore } from './commands/restore.js';
import { VERIFY_HELP, formatVerify, runVerify } from './commands/verify.js';
import { loadConfig, secretValues } from './config.js';
import { CliError, EXIT, UsageError } from './errors.js';
import { logger, type Io } from './log.js';
import { SERVICES, type ServiceName } from './naming.js';
import { redact } from './redact.js';

export type { Io } from './log.js';

export const HELP = `Usage: cios-backup <command> [options]

Backs up, lists, verifies and restores the CIOS data tier (the data stores' backup CronJobs run it).

Commands:
  postgres [--format=custom]        pg_dump every database to BACKUP_DESTINATION, then prune
  redis [--rdb]                     RDB snapshot (redis-cli --rdb) to BACKUP_DESTINATION, then prune
  qdrant [--snapshot-all]           snapshot of every collection to BACKUP_DESTINATION, then prune
  list [SERVICE] [--prefix URL]     backups, newest first
  prune [--prefix URL] [--dry-run]  apply the retention to a prefix without taking a backup
  verify [SERVICE] [--from URL]     download a backup and check it against its manifest
  restore SERVICE --from URL        restore a backup (see "cios-backup restore --help")

Run "cios-backup <command> --help" for a command's options. Every command takes --json.
Secrets (PGPASSWORD, REDIS_PASSWORD, QDRANT_API_KEY, BACKUP_SECRET_ACCESS_KEY) are read from the environment
and never printed nor passed in a command line.
Exit codes: 0 done, 1 failed/invalid configuration/failed check, 2 usage error.`;

const COMMON = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const OPTIONS: Record<string, ParseArgsConfig['options']> = {
  postgres: { ...COMMON, format: { type: 'string' } },
  redis: { ...COMMON, rdb: { type: 'boolean' } },
  qdrant: { ...COMMON, 'snapshot-all': { type: 'boolean' } },
  list: { ...COMMON, prefix: { type: 'string' }, all: { type: 'boolean' } },
  prune: { ...COMMON, prefix: { type: 'string' }, 'retention-days': { type: 'string' }, 'all-expired': { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  verify: { ...COMMON, from: { type: 'string' }, prefix: { type: 'string' } },
  restore: {
    ...COMMON,
    from: { type: 'string' },
    database: { type: 'string' },
    create: { type: 'boolean' },
    clean: { type: 'boolean' },
    'if-exists': { type: 'boolean' },
    globals: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    collection: { type: 'string' },
  },
};
const HELPS: Record<string, string> = {
  postgres: BACKUP_HELP,
  redis: BACKUP_HELP,
  qdrant: BACKUP_HELP,
  list: LIST_HELP,
  prune: PRUNE_HELP,
  verify: VERIFY_HELP,
  restore: RESTORE_HELP,
};

function serviceArg(value: string | undefined, required: boolean): ServiceName | undefined {
  if (value === undefined) {
    if (required) throw new UsageError(`a service is required: ${SERVICES.join(', ')}`);
    return undefined;
  }
  if (!(SERVICES as readonly string[]).includes(value)) throw new UsageError(`unknown service "${value}": ${SERVICES.join(', ')}`);
  return value as ServiceName;
}

function daysArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--retention-days ${value}: must be a whole number of days, at least 1`);
  return days;
}

function portArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${value}: not a TCP port`);
  return port;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${HELP}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  const options = OPTIONS[command];
  if (!options) {
    io.stderr(`cios-backup: unknown command "${command}"\n\n${HELP}\n`);
    return EXIT.usage;
  }
  const secrets = secretValues(io.env);
  let json = false;
  try {
    const { values, positionals } = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    json = values['json'] === true;
    if (values['help']) {
      io.stdout(`${HELPS[command]}\n`);
      return EXIT.ok;
    }
    const str = (name: string) => values[name] as string | undefined;
    const bool = (name: string) => values[name] === true;
    const out = (text: string, data: unknown) => io.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : text);
    const log = logger(io, secrets);

    if (command === 'postgres' || command === 'redis' || command === 'qdrant') {
      if (positionals.length > 0) throw new UsageError(`${command} takes no arguments`);
      // The only format: a custom-format archive is compressed, and pg_restore can pick and reorder from it.
      if (command === 'postgres' && str('format') !== undefined && str('format') !== 'custom') {
        throw new UsageError(`--format=${str('format')}: only --format=custom is supported`);
      }
      const result = await runBackup(command, loadConfig(io.env), secrets, log, io.now);
      out(formatBackupResult(result), result);
      return EXIT.ok;
    }
    if (command === 'prune') {
      if (positionals.length > 0) throw new UsageError('prune takes no arguments (the prefix is --prefix URL)');
      const days = daysArg(str('retention-days'));
      const result = await runPrune(loadConfig(io.env), log, io.now, {
        ...(str('prefix') ? { prefix: str('prefix') } : {}),
        ...(days !== undefined ? { retentionDays: days } : {}),
        allExpired: bool('all-expired'),
        dryRun: bool('dry-run'),
      });
      out(formatPrune(result), result);
      return EXIT.ok;
    }
    if (positionals.length > 1) throw new UsageError(`${command} takes one service at most`);
    const service = serviceArg(positionals[0], command === 'restore');
    const config = loadConfig(io.env);
    if (command === 'list') {
      const backups = await runList(config, { ...(service ? { service } : {}), ...(str('prefix') ? { prefix: str('prefix') } : {}), all: bool('all') });
      out(formatList(backups), backups);
      return EXIT.ok;
    }
    if (command === 'verify') {
      const result = await runVerify(config, secrets, log, {
        ...(service ? { service } : {}),
        ...(str('from') ? { from: str('from') } : {}),
        ...(str('prefix') ? { prefix: str('prefix') } : {}),
      });
      out(formatVerify(result), result);
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    const from = str('from');
    if (!from) throw new UsageError('restore: --from URL is required (a restore point from "cios-backup list")');
    const result = await runRestore(config, secrets, log, io.now, {
      service: service as ServiceName,
      from,
      ...(str('database') !== undefined ? { database: str('database') } : {}),
      create: bool('create'),
      clean: bool('clean'),
      ifExists: bool('if-exists'),
      globals: bool('globals'),
      ...(str('host') !== undefined ? { host: str('host') } : {}),
      ...(portArg(str('port')) !== undefined ? { port: portArg(str('port')) } : {}),
      dataDir: str('data-dir') ?? '/data',
      ...(str('collection') !== undefined ? { collection: str('collection') } : {}),
    });
    out(formatRestore(result), result);
    return EXIT.ok;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = redact((error as Error).message, secrets);
    if (json) io.stdout(`${JSON.stringify({ error: message }, null, 2)}\n`);
    io.stderr(`cios-backup: ${message}\n${usage ? `Run "cios-backup ${command} --help".\n` : ''}`);
    if (usage) return EXIT.usage;
    if (!(error instanceof CliError)) io.stderr('cios-backup: (unexpected error; the message above is all that is shown, secrets redacted)\n');
    return EXIT.failed;
  }
}
