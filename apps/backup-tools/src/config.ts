import { z } from 'zod';
import { CliError } from './errors.js';

/** Environment variables holding secrets: their values are never logged, printed or put in argv. */
export const SECRET_VARIABLES = ['BACKUP_SECRET_ACCESS_KEY', 'BACKUP_ACCESS_KEY_ID', 'PGPASSWORD', 'REDIS_PASSWORD', 'QDRANT_API_KEY'] as const;

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

/** An unset or empty variable is absent; anything else must parse. */
const optionalInt = (schema: z.ZodType<number, unknown>) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const destination = nonEmpty.refine((v) => /^(s3:\/\/[^/]+(\/.*)?|file:\/\/\/.*)$/.test(v), {
  message: 'must be s3://bucket/prefix/ or file:///absolute/path/',
});

export const configSchema = z.object({
  BACKUP_SOURCE_HOST: optionalText,
  BACKUP_SOURCE_PORT: optionalInt(z.coerce.number('must be a number').int('must be a whole number').min(1, 'must be a TCP port').max(65535, 'must be a TCP port')),
  BACKUP_DESTINATION: destination.optional(),
  BACKUP_RETENTION_DAYS: optionalInt(z.coerce.number('must be a number').int('must be a whole number of days').min(1, 'must be at least 1 day')),
  BACKUP_ACCESS_KEY_ID: optionalText,
  BACKUP_SECRET_ACCESS_KEY: optionalText,
  BACKUP_S3_ENDPOINT: optionalText.pipe(z.url().optional()),
  // The catalog's bucket (cios-backups-ca-central-1) lives in ca-central-1: Canadian data stays in Canada.
  BACKUP_S3_REGION: optionalText.transform((v) => v ?? 'ca-central-1'),
  // The job sets no PGUSER and UID 10999 has no passwd entry, so libpq could not guess a user: the image's
  // superuser role is "postgres" (the official image's POSTGRES_USER default).
  PGUSER: optionalText.transform((v) => v ?? 'postgres'),
  PGPASSWORD: optionalText,
  /** Comma-separated databases to dump; by default every database that accepts connections. */
  BACKUP_DATABASES: optionalText.transform((v) => (v ? v.split(',').map((d) => d.trim()).filter(Boolean) : undefined)),
  REDIS_PASSWORD: optionalText,
  QDRANT_API_KEY: optionalText,
});

export type Config = z.infer<typeof configSchema>;

/** Parses the environment; every problem names its variable, never its value. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new CliError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.BACKUP_SECRET_ACCESS_KEY && !config.BACKUP_ACCESS_KEY_ID) {
    throw new CliError(
      'invalid configuration:\n  BACKUP_ACCESS_KEY_ID: required when BACKUP_SECRET_ACCESS_KEY is set (an S3 secret key is useless without its key id)',
    );
  }
  if (config.BACKUP_ACCESS_KEY_ID && !config.BACKUP_SECRET_ACCESS_KEY) {
    throw new CliError('invalid configuration:\n  BACKUP_SECRET_ACCESS_KEY: required when BACKUP_ACCESS_KEY_ID is set');
  }
  return config;
}

/** A variable a command cannot do without: the error names it. */
export function required<K extends keyof Config>(config: Config, name: K, why: string): NonNullable<Config[K]> {
  const value = config[name];
  if (value === undefined) throw new CliError(`invalid configuration:\n  ${String(name)}: required ${why}`);
  return value as NonNullable<Config[K]>;
}

/** The secret values present, for redacting any text that leaves the process. */
export function secretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return SECRET_VARIABLES.map((name) => env[name]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}
