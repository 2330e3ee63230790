import { z } from 'zod';
import { CliError } from './errors.js';
import { SERVICES } from './naming.js';

export const artifactSchema = z.object({
  /** Object name relative to the destination. */
  object: z.string().min(1),
  /** What it holds: a database's dump, PostgreSQL's roles and tablespaces, an RDB, a collection's snapshot. */
  kind: z.enum(['database', 'globals', 'rdb', 'collection']),
  /** The database or collection name; "globals" and "rdb" for the others. */
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  schema: z.literal('cios-backup/v1'),
  service: z.enum(SERVICES),
  stem: z.string().min(1),
  startedAt: z.string(),
  finishedAt: z.string(),
  source: z.object({ host: z.string(), port: z.number().int() }),
  tools: z.record(z.string(), z.string()),
  artifacts: z.array(artifactSchema),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Artifact = z.infer<typeof artifactSchema>;

export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${where}: not JSON (${(error as Error).message})`);
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    throw new CliError(`${where}: not a cios-backup manifest: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

export function formatManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
