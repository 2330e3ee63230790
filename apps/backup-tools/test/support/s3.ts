import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A real S3-protocol server (s3rver, file-backed) on 127.0.0.1 with one bucket. */
export interface S3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver's fixed credentials: the client signs every request with them. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'cios-backups-test'): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'cios-backup-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    env: { BACKUP_S3_ENDPOINT: endpoint, BACKUP_S3_REGION: 'us-east-1', BACKUP_ACCESS_KEY_ID: 'S3RVER', BACKUP_SECRET_ACCESS_KEY: 'S3RVER' },
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
