import { join } from 'node:path';
import type { Config } from '../config.js';
import { checkPostgresArchive } from '../engines/postgres.js';
import { checkRdb } from '../engines/redis.js';
import { digestFile } from '../hash.js';
import type { Logger } from '../log.js';
import type { Artifact } from '../manifest.js';
import type { ServiceName } from '../naming.js';
import { findRestorePoint } from '../restore-point.js';
import { withWorkdir } from '../workdir.js';

export const VERIFY_HELP = `Usage: cios-backup verify [SERVICE] [--from URL] [--prefix URL] [--json]

Downloads a backup (--from: any object of it; else the newest complete one under BACKUP_DESTINATION or --prefix)
and checks every artifact's size and sha256 against its manifest; postgres dumps must also pass
"pg_restore --list" (its entry count is printed), redis RDBs "redis-check-rdb".
Exit: 0 verified, 1 a check failed or the backup is unreadable, 2 usage.`;

export interface ArtifactCheck {
  readonly object: string;
  readonly name: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** pg_restore --list entries (postgres). */
  readonly entries?: number;
}

export interface VerifyResult {
  readonly manifest: string;
  readonly service: ServiceName;
  readonly ok: boolean;
  readonly artifacts: readonly ArtifactCheck[];
}

/** Compares a downloaded file with its manifest entry; pure apart from reading the file. */
export async function checkArtifact(artifact: Artifact, path: string): Promise<string[]> {
  const digest = await digestFile(path);
  const problems = [];
  if (digest.size !== artifact.size) problems.push(`size ${digest.size} != manifest ${artifact.size}`);
  if (digest.sha256 !== artifact.sha256) problems.push(`sha256 ${digest.sha256} != manifest ${artifact.sha256}`);
  return problems;
}

export async function runVerify(
  config: Config,
  secrets: readonly string[],
  log: Logger,
  options: { service?: ServiceName; from?: string; prefix?: string },
): Promise<VerifyResult> {
  const point = await findRestorePoint(config, { ...options, destination: options.prefix ?? config.BACKUP_DESTINATION });
  const { manifest, store } = point;
  return withWorkdir(async (dir) => {
    const checks: ArtifactCheck[] = [];
    for (const [i, artifact] of manifest.artifacts.entries()) {
      const path = join(dir, `artifact-${i}`);
      log.info(`download ${store.url(artifact.object)}`);
      await store.getFile(artifact.object, path);
      const problems = await checkArtifact(artifact, path);
      let entries: number | undefined;
      if (problems.length === 0) {
        try {
          if (artifact.kind === 'database') entries = await checkPostgresArchive({ secrets }, path);
          if (artifact.kind === 'rdb') await checkRdb({ secrets }, path);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
      checks.push({ object: artifact.object, name: artifact.name, ok: problems.length === 0, problems, ...(entries !== undefined ? { entries } : {}) });
    }
    return { manifest: point.manifestUrl, service: manifest.service, ok: checks.every((c) => c.ok), artifacts: checks };
  });
}

export function formatVerify(result: VerifyResult): string {
  const lines = [`${result.ok ? 'verified' : 'FAILED'}: ${result.manifest}`];
  for (const c of result.artifacts) {
    const extra = c.entries !== undefined ? ` (${c.entries} archive entries)` : '';
    lines.push(`  ${c.ok ? 'ok  ' : 'BAD '} ${c.object}${extra}${c.problems.length ? `: ${c.problems.join('; ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
