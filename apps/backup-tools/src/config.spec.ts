import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('parses the job environment with defaults', () => {
    const config = loadConfig({
      BACKUP_SOURCE_HOST: 'postgres-0.postgres-headless.prod-data.svc',
      BACKUP_SOURCE_PORT: '5432',
      BACKUP_RETENTION_DAYS: '35',
      BACKUP_DESTINATION: 's3://cios-backups-ca-central-1/postgres/prod/prod-toronto/',
      BACKUP_DATABASES: 'app, billing',
    });
    expect(config).toMatchObject({ BACKUP_SOURCE_PORT: 5432, BACKUP_RETENTION_DAYS: 35, PGUSER: 'postgres', BACKUP_S3_REGION: 'ca-central-1', BACKUP_DATABASES: ['app', 'billing'] });
  });

  it('names every invalid variable and never echoes a secret', () => {
    const secret = 'very-secret-key-value';
    let message = '';
    try {
      loadConfig({ BACKUP_SOURCE_PORT: 'abc', BACKUP_RETENTION_DAYS: '0', BACKUP_DESTINATION: 'ftp://x', BACKUP_S3_ENDPOINT: 'not a url', BACKUP_SECRET_ACCESS_KEY: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['BACKUP_SOURCE_PORT', 'BACKUP_RETENTION_DAYS', 'BACKUP_DESTINATION', 'BACKUP_S3_ENDPOINT']) expect(message).toContain(name);
    expect(message).not.toContain(secret);
  });

  it('refuses an S3 secret key without its key id', () => {
    expect(() => loadConfig({ BACKUP_SECRET_ACCESS_KEY: 'k' })).toThrow(/BACKUP_ACCESS_KEY_ID: required when BACKUP_SECRET_ACCESS_KEY is set/);
  });
});
