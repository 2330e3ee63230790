export { runCli, HELP } from './main.js';
export { loadConfig, configSchema, type Config } from './config.js';
export { planRetention, type RetentionPlan, type StoredObject } from './retention.js';
export { groupBackups, type BackupEntry } from './backups.js';
export { formatStamp, parseObjectName } from './naming.js';
export { parseManifest, type Manifest } from './manifest.js';
