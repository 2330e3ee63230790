import { describe, expect, it } from 'vitest';
import { parseDestination, splitObjectUrl } from './destination.js';

describe('parseDestination', () => {
  it('splits bucket and prefix, the prefix always ending in a slash', () => {
    expect(parseDestination('s3://cios-backups-ca-central-1/postgres/prod/prod-toronto')).toEqual({ kind: 's3', bucket: 'cios-backups-ca-central-1', prefix: 'postgres/prod/prod-toronto/' });
    expect(parseDestination('s3://b-1/x//')).toEqual({ kind: 's3', bucket: 'b-1', prefix: 'x/' });
    expect(parseDestination('s3://bucket')).toEqual({ kind: 's3', bucket: 'bucket', prefix: '' });
    expect(parseDestination('file:///var/backups/redis/')).toEqual({ kind: 'file', directory: '/var/backups/redis' });
  });

  it('refuses what it cannot confine to one prefix', () => {
    expect(() => parseDestination('s3://bucket/a/../b/')).toThrow(/"\." and "\.\."/);
    expect(() => parseDestination('s3://Bad_Bucket/x')).toThrow(/not an S3 bucket name/);
    expect(() => parseDestination('http://x/y')).toThrow(/must be s3:/);
  });

  it('splits a restore point URL into its destination and name', () => {
    expect(splitObjectUrl('s3://b/postgres/prod/t/20260101T000000Z-postgres.manifest.json')).toEqual({ destination: 's3://b/postgres/prod/t/', name: '20260101T000000Z-postgres.manifest.json' });
  });
});
