import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cios, type CliRun } from './support/cli.js';
import { postgresAvailable, startPostgres, type PgServer } from './support/postgres.js';
import { startS3, type S3Server } from './support/s3.js';
import { argvRecorder } from './support/secrets.js';

const unavailable = postgresAvailable();
if (unavailable) console.warn(`postgres tests skipped: ${unavailable}`);

const PASSWORD = `pg-pw-${process.pid}-Zq8`;
const CHECKSUM = `SELECT count(*) || ':' || md5(string_agg(id || '=' || name, ',' ORDER BY id)) FROM clients`;

describe.skipIf(unavailable)('cios-backup postgres against real PostgreSQL servers', () => {
  let source: PgServer;
  let target: PgServer;
  let s3: S3Server;
  let dir: string;
  let recorder: ReturnType<typeof argvRecorder>;
  const runs: CliRun[] = [];

  const env = (extra: Record<string, string> = {}) => ({
    PATH: `${recorder.dir}:${process.env['PATH'] ?? ''}`,
    BACKUP_SOURCE_HOST: '127.0.0.1',
    BACKUP_SOURCE_PORT: String(source.port),
    BACKUP_RETENTION_DAYS: '35',
    PGPASSWORD: PASSWORD,
    ...extra,
  });
  const run = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await cios(args, env(extra));
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    recorder = argvRecorder(['pg_dump', 'pg_dumpall', 'pg_restore', 'psql']);
    [source, target, s3] = await Promise.all([startPostgres(PASSWORD), startPostgres(PASSWORD), startS3()]);
    dir = mkdtempSync(join(tmpdir(), 'cios-backup-dest-'));
    // "app" belongs to a service role, as CIOS's per-service databases do: a fresh server needs the roles first.
    await source.psql('postgres', 'CREATE ROLE app_owner NOLOGIN');
    for (const db of ['app', 'billing']) {
      await source.psql('postgres', `CREATE DATABASE ${db}${db === 'app' ? ' OWNER app_owner' : ''}`);
      await source.psql(db, `CREATE TABLE clients (id int PRIMARY KEY, name text NOT NULL)`);
      if (db === 'app') await source.psql(db, 'ALTER TABLE clients OWNER TO app_owner');
      await source.psql(db, `INSERT INTO clients SELECT g, '${db}-client-' || g FROM generate_series(1, 500) g`);
    }
  });

  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop(), s3?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (recorder) rmSync(recorder.dir, { recursive: true, force: true });
  });

  it('backs up to file://, lists, verifies and restores into a fresh server with equal data', async () => {
    const destination = `${pathToFileURL(dir).href}/prod/prod-toronto/`;
    const backup = await run(['postgres', '--format=custom', '--json'], { BACKUP_DESTINATION: destination });
    expect(backup.stderr).toContain('pg_dump app');
    expect(backup.code).toBe(0);
    const result = JSON.parse(backup.stdout) as { manifest: string; artifacts: { object: string; kind: string; name: string; sha256: string }[] };
    expect(result.artifacts.map((a) => `${a.kind}:${a.name}`)).toEqual(['database:app', 'database:billing', 'database:postgres', 'globals:globals']);
    expect(result.artifacts[0]?.object).toMatch(/^\d{8}T\d{6}Z-postgres\.app\.dump$/);
    expect(readdirSync(join(dir, 'prod', 'prod-toronto')).sort()).toEqual([...result.artifacts.map((a) => a.object), result.manifest.split('/').at(-1)].sort());

    const manifest = JSON.parse(readFileSync(new URL(result.manifest), 'utf8')) as { tools: Record<string, string>; startedAt: string; finishedAt: string };
    expect(manifest.tools['pg_dump']).toMatch(/^pg_dump \(PostgreSQL\) \d+/);
    expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt));

    const list = await run(['list', 'postgres', '--json'], { BACKUP_DESTINATION: destination });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { url: string }[]).map((b) => b.url)).toEqual([result.manifest]);

    const verify = await run(['verify', 'postgres', '--json'], { BACKUP_DESTINATION: destination });
    expect(verify.code).toBe(0);
    const checks = JSON.parse(verify.stdout) as { ok: boolean; artifacts: { name: string; entries?: number }[] };
    expect(checks.ok).toBe(true);
    // Table, its data and its primary key per database; the empty "postgres" database has none.
    expect(checks.artifacts.map((a) => [a.name, a.entries])).toEqual([
      ['app', 3],
      ['billing', 3],
      ['postgres', 0],
      ['globals', undefined],
    ]);

    const restoreArgs = ['restore', 'postgres', '--from', result.manifest, '--database', 'app', '--create', '--host', '127.0.0.1', '--port', String(target.port)];
    const withoutRoles = await run(restoreArgs);
    expect(withoutRoles.code).toBe(1);
    expect(withoutRoles.stderr).toContain('role "app_owner" does not exist');
    await target.psql('postgres', 'DROP DATABASE IF EXISTS app');

    const restore = await run([...restoreArgs, '--globals', '--json']);
    expect(restore.code, restore.stderr).toBe(0);
    // The superuser exists on every server: its CREATE fails and the restore goes on.
    expect((JSON.parse(restore.stdout) as { globalsErrors: string[] }).globalsErrors).toEqual([expect.stringContaining('role "postgres" already exists')]);
    expect(await target.psql('app', CHECKSUM)).toBe(await source.psql('app', CHECKSUM));
    expect(await target.psql('app', "SELECT tableowner FROM pg_tables WHERE tablename = 'clients'")).toBe('app_owner');
  });

  it('backs up to S3 (s3rver), verifies from S3 and restores over an existing database with --clean --if-exists', async () => {
    const destination = `s3://${s3.bucket}/postgres/prod/prod-toronto/`;
    const backup = await run(['postgres', '--format=custom', '--json'], { ...s3.env, BACKUP_DESTINATION: destination });
    expect(backup.code, backup.stderr).toBe(0);
    const { manifest } = JSON.parse(backup.stdout) as { manifest: string };
    expect(manifest).toMatch(new RegExp(`^s3://${s3.bucket}/postgres/prod/prod-toronto/\\d{8}T\\d{6}Z-postgres\\.manifest\\.json$`));

    const verify = await run(['verify', '--from', manifest], s3.env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('verified');

    await target.psql('postgres', 'CREATE DATABASE billing');
    await target.psql('billing', `CREATE TABLE clients (id int PRIMARY KEY, name text NOT NULL)`);
    await target.psql('billing', `INSERT INTO clients VALUES (1, 'stale row written after the backup')`);
    const restore = await run(
      ['restore', 'postgres', '--from', manifest.replace('manifest.json', 'billing.dump'), '--database', 'billing', '--clean', '--if-exists', '--port', String(target.port)],
      s3.env,
    );
    expect(restore.code, restore.stderr).toBe(0);
    expect(await target.psql('billing', CHECKSUM)).toBe(await source.psql('billing', CHECKSUM));
  });

  it('refuses to verify or restore a dump whose bytes differ from its manifest', async () => {
    const destination = `${pathToFileURL(dir).href}/tampered/`;
    const backup = await run(['postgres', '--json'], { BACKUP_DESTINATION: destination, BACKUP_DATABASES: 'app' });
    expect(backup.code, backup.stderr).toBe(0);
    const { artifacts, manifest } = JSON.parse(backup.stdout) as { manifest: string; artifacts: { object: string }[] };
    const dump = join(dir, 'tampered', artifacts[0]?.object ?? '');
    const bytes = readFileSync(dump);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(dump, bytes);

    const verify = await run(['verify', '--from', manifest, '--json']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('sha256');
    const restore = await run(['restore', 'postgres', '--from', manifest, '--database', 'app', '--create', '--port', String(target.port)]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('nothing restored');
  });

  it('fails with exit 1 on a wrong password and never shows a password anywhere', async () => {
    const wrong = `wrong-pw-${process.pid}-Xk3`;
    const failed = await cios(['postgres'], env({ PGPASSWORD: wrong, BACKUP_DESTINATION: `${pathToFileURL(dir).href}/failed/` }));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('password authentication failed');
    expect(`${failed.stdout}${failed.stderr}`).not.toContain(wrong);

    const output = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    expect(runs.length).toBeGreaterThan(5);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(s3.env['BACKUP_SECRET_ACCESS_KEY']);
    const argv = recorder.read();
    expect(argv).toContain('pg_dump --host 127.0.0.1');
    expect(argv).toContain('--format=custom');
    expect(argv).toContain('pg_restore');
    expect(argv).toContain('pg_dumpall --host 127.0.0.1');
    expect(argv).not.toContain(PASSWORD);
    expect(argv).not.toContain(wrong);
  });
});
