import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildahGlobals, type BuilderKind } from './builder.js';
import { CliError } from './errors.js';

/**
 * An image kept outside the container engine: `build` writes it to dist/images/<name>/image.tar with this record
 * next to it (image.json), so that a build cache (the Nx `image` target's outputs) can restore it and `push
 * --from-archive` can push it when the engine no longer holds the image.
 */
export interface ImageRecord {
  readonly service: string;
  /** The local name it was built as, e.g. localhost/cios/sample-api:<tag>. */
  readonly image: string;
  readonly tag: string;
  /** The commit it was built at: its org.opencontainers.image.revision label. */
  readonly revision: string;
  readonly builder: BuilderKind;
  /** The image id: the digest of its config, as hex. */
  readonly imageId: string;
  /** The archive's manifest digest (OCI archives only: a `docker save` archive has no manifest of its own). */
  readonly manifestDigest?: string;
  /** The archive's file name, next to the record. */
  readonly archive: string;
  /** How skopeo reads the archive. */
  readonly transport: ArchiveTransport;
  /** The SBOM's path, relative to the repository root. */
  readonly sbom?: string;
}

export type ArchiveTransport = 'oci-archive' | 'docker-archive';

export const ARCHIVE_FILE = 'image.tar';
export const RECORD_FILE = 'image.json';

/** dist/images/<name>: where build writes the archive and its record (and a rendered Dockerfile). */
export function imageDir(root: string, name: string): string {
  return join(root, 'dist/images', name);
}

/** buildah writes an OCI archive (compressed layers, so a push from it uploads them as they are); docker has `docker save`. */
export function archiveTransport(builder: BuilderKind): ArchiveTransport {
  return builder === 'buildah' ? 'oci-archive' : 'docker-archive';
}

/** The command that writes a built image to an archive file: pure, so tests can read it. */
export function archiveCommand(builder: BuilderKind, image: string, file: string, digestFile: string, env: NodeJS.ProcessEnv): { command: string; args: string[] } {
  if (builder === 'buildah') {
    return { command: 'buildah', args: [...buildahGlobals(env), 'push', '--quiet', '--digestfile', digestFile, image, `oci-archive:${file}`] };
  }
  return { command: 'docker', args: ['save', '--output', file, image] };
}

/**
 * skopeo copy from the archive to the registry. An OCI archive is pushed with its digests preserved, so the
 * registry holds the very manifest the record names; a `docker save` archive has uncompressed layers, which
 * skopeo compresses on the way.
 */
export function pushArchiveCommand(
  record: ImageRecord,
  file: string,
  remote: string,
  options: { insecure: boolean; authFile?: string; digestFile: string },
): { command: string; args: string[] } {
  return {
    command: 'skopeo',
    args: [
      'copy',
      '--quiet',
      ...(record.transport === 'oci-archive' ? ['--preserve-digests'] : []),
      ...(options.insecure ? ['--dest-tls-verify=false'] : []),
      ...(options.authFile ? ['--dest-authfile', options.authFile] : []),
      '--digestfile',
      options.digestFile,
      `${record.transport}:${file}`,
      `docker://${remote}`,
    ],
  };
}

/** The record as written: keys in a fixed order, so one build gives byte-identical files. */
export function formatRecord(record: ImageRecord): string {
  const ordered: ImageRecord = {
    service: record.service,
    image: record.image,
    tag: record.tag,
    revision: record.revision,
    builder: record.builder,
    imageId: record.imageId,
    ...(record.manifestDigest ? { manifestDigest: record.manifestDigest } : {}),
    archive: record.archive,
    transport: record.transport,
    ...(record.sbom ? { sbom: record.sbom } : {}),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Reads and checks a record; every problem is named with the file, so a half-restored cache is obvious. */
export function parseRecord(text: string, file: string): ImageRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const r = (value ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['service', 'image', 'tag', 'revision', 'imageId', 'archive'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') problems.push(`${key} must be a non-empty string`);
  }
  if (r['builder'] !== 'buildah' && r['builder'] !== 'docker') problems.push('builder must be "buildah" or "docker"');
  if (r['transport'] !== 'oci-archive' && r['transport'] !== 'docker-archive') problems.push('transport must be "oci-archive" or "docker-archive"');
  if (typeof r['imageId'] === 'string' && !/^[a-f0-9]{64}$/.test(r['imageId'])) problems.push('imageId must be 64 hex digits');
  if (r['manifestDigest'] !== undefined && (typeof r['manifestDigest'] !== 'string' || !DIGEST.test(r['manifestDigest']))) {
    problems.push('manifestDigest must be sha256:<64 hex digits>');
  }
  if (typeof r['archive'] === 'string' && (r['archive'].includes('/') || r['archive'].startsWith('.'))) problems.push('archive must be a file name next to the record');
  if (r['sbom'] !== undefined && typeof r['sbom'] !== 'string') problems.push('sbom must be a string');
  if (problems.length > 0) throw new CliError(`${file}: ${problems.join('; ')}`);
  return value as ImageRecord;
}

/** The record build left for a service, with its archive's path; undefined when there is none. */
export function readArchivedImage(root: string, name: string): { record: ImageRecord; file: string; recordFile: string } | undefined {
  const dir = imageDir(root, name);
  const recordFile = join(dir, RECORD_FILE);
  if (!existsSync(recordFile)) return undefined;
  const record = parseRecord(readFileSync(recordFile, 'utf8'), recordFile);
  if (record.service !== name) throw new CliError(`${recordFile} records the image of ${record.service}, not ${name}`);
  const file = join(dir, record.archive);
  if (!existsSync(file)) throw new CliError(`${recordFile} names the archive ${record.archive}, which is not in ${dir}`);
  return { record, file, recordFile };
}
