import type { Config } from '../config.js';
import { parseDestination } from './destination.js';
import { FileStore } from './file-store.js';
import type { ObjectStore } from './object-store.js';
import { S3Store } from './s3-store.js';

export function openStore(url: string, config: Config): ObjectStore {
  const destination = parseDestination(url);
  if (destination.kind === 'file') return new FileStore(destination.directory);
  return new S3Store({
    bucket: destination.bucket,
    prefix: destination.prefix,
    region: config.BACKUP_S3_REGION,
    ...(config.BACKUP_S3_ENDPOINT ? { endpoint: config.BACKUP_S3_ENDPOINT } : {}),
    ...(config.BACKUP_ACCESS_KEY_ID && config.BACKUP_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: config.BACKUP_ACCESS_KEY_ID, secretAccessKey: config.BACKUP_SECRET_ACCESS_KEY } }
      : {}),
  });
}
