import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  type Environment,
  JsonSyntaxError,
  type Platform,
  Release,
  SpecError,
  type SpecOf,
  type SpecSchema,
  byCodePoint,
  notRunningIn,
  parseImageRef,
  parseJsonSpec,
  parseSpec,
  runsIn,
  servicesIn,
} from '@cios/platform-spec';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A JSON spec file checked against its schema; each problem names the file, the field and its line:column. */
export function readSpecFile<S extends SpecSchema>(schema: S, file: string): SpecOf<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return parseJsonSpec(schema, text, file);
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof SpecError) throw new InputError(error.message);
    throw error;
  }
}

export function readReleaseFile(file: string, environment: string): Release {
  const release = readSpecFile(Release, file);
  if (release.environment !== environment) {
    throw new InputError(`${file}: environment is "${release.environment}" but --env is "${environment}"`);
  }
  return release;
}

export interface GitInfo {
  readonly commit: string;
  readonly committedAt: string;
}

export function gitInfo(cwd = process.cwd()): GitInfo | undefined {
  try {
    const out = execFileSync('git', ['show', '-s', '--format=%H %cI', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const [commit, committedAt] = out.split(' ');
    if (!commit || !committedAt) return undefined;
    return { commit, committedAt };
  } catch {
    return undefined;
  }
}

/**
 * An image the catalog runs that is no service of its own (a data service's backup job): a release may pin it
 * under its repository's last path segment (e.g. "backup-tools"), and @cios/infra then uses that reference.
 */
export interface SupportImage {
  readonly key: string;
  /** Repository without tag or digest, e.g. "ghcr.io/cios/backup-tools". */
  readonly repository: string;
  /** The reference the catalog names (a tag, usually). */
  readonly image: string;
  /** Services whose backup jobs run it. */
  readonly usedBy: readonly string[];
}

/** The distinct backup images of the services `env` runs, keyed by their repository's last path segment. */
export function supportImages(platform: Platform, env: Environment): SupportImage[] {
  const byRepository = new Map<string, { image: string; usedBy: string[] }>();
  for (const s of servicesIn(platform, env)) {
    if (!s.backup) continue;
    const repository = parseImageRef(s.backup.image)?.repository ?? s.backup.image;
    const entry = byRepository.get(repository) ?? { image: s.backup.image, usedBy: [] };
    entry.usedBy.push(s.name);
    byRepository.set(repository, entry);
  }
  const out = [...byRepository].map(([repository, e]) => ({ key: repository.split('/').at(-1) as string, repository, image: e.image, usedBy: e.usedBy.sort() }));
  return out.sort((a, b) => byCodePoint(a.key, b.key));
}

/** Release keys that name neither a service `env` runs nor one of their support images. */
export function unknownReleaseKeys(images: Readonly<Record<string, string>>, platform: Platform, env: Environment): string[] {
  const support = new Set(supportImages(platform, env).map((i) => i.key));
  const running = new Set(servicesIn(platform, env).map((s) => s.name));
  return Object.keys(images).filter((k) => !running.has(k) && !support.has(k));
}

/**
 * Why `key` of a release for `env` names nothing `env` runs: a service of the catalog kept out of `env` (its
 * `environments`), said as such so nobody hunts for a typo, or a name the catalog does not know at all.
 */
export function notInEnvironment(key: string, platform: Platform, env: Environment): string {
  const service = platform.services.find((s) => s.name === key);
  if (service) return `${notRunningIn(service, env)}: a release for ${env.name} cannot name it`;
  const support = supportImages(platform, env).map((i) => i.key);
  return `neither a service of the catalog nor one of its support images${support.length > 0 ? ` (support images: ${support.join(', ')})` : ''}`;
}

/** CIOS builds these images itself from each commit (tagged with the commit SHA); anything else is upstream. */
export const CIOS_REGISTRY_PREFIX = 'ghcr.io/cios/';

/**
 * `--set svc=1.4.2`, `svc=sha256:…` or `svc=registry/repo:tag@sha256:…` for a service `env` runs; support images by
 * their key. A service of the catalog that does not run in `env` is refused as such: it would be rendered nowhere.
 */
export function parseSets(sets: readonly string[], platform: Platform, env: Environment): Record<string, string> {
  const out: Record<string, string> = {};
  const running = servicesIn(platform, env);
  const support = supportImages(platform, env);
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new InputError(`--set ${s}: expected service=tag (or service=image-reference)`);
    const name = s.slice(0, eq);
    const value = s.slice(eq + 1);
    const kept = platform.services.find((x) => x.name === name && !runsIn(x, env));
    if (kept) throw new InputError(`--set ${s}: ${notRunningIn(kept, env)}, so there is nothing of it to release here`);
    const repository = running.find((x) => x.name === name)?.image ?? support.find((x) => x.key === name)?.repository;
    if (!repository) {
      throw new InputError(
        `--set ${s}: "${name}" is not a service in the catalog (known in ${env.name}: ${running.map((x) => x.name).join(', ')})${
          support.length > 0 ? ` nor a support image (known: ${support.map((x) => x.key).join(', ')})` : ''
        }`,
      );
    }
    const ref = value.includes('/') ? value : value.startsWith('sha256:') ? `${repository}@${value}` : `${repository}:${value}`;
    const parsed = parseImageRef(ref);
    if (!parsed || (!parsed.tag && !parsed.digest)) throw new InputError(`--set ${s}: "${ref}" is not an image reference with a tag or digest`);
    out[name] = ref;
  }
  return out;
}

export interface ReleaseFromSets {
  readonly release: Release;
  /** Why some images were left out (rendered ":unreleased" by @cios/infra). */
  readonly notes: readonly string[];
}

/**
 * A release without a file, of the services `env` runs: the images running now (base), changed by `--set`. A CIOS
 * image with neither gets the image built from this commit (tagged with its SHA, as CI tags them); an upstream image
 * (postgres, redis, …) is not built here, so a commit tag would name an image that does not exist: it stays
 * unreleased instead. Support images come only from `--set` or the base; otherwise the catalog's own reference applies.
 */
export function releaseFromSets(options: {
  platform: Platform;
  env: Environment;
  sets: readonly string[];
  base: Readonly<Record<string, string>> | undefined;
  git: GitInfo;
  createdBy: string;
}): ReleaseFromSets {
  const sets = parseSets(options.sets, options.platform, options.env);
  const images: Record<string, string> = {};
  const notes: string[] = [];
  // Only what runs here: a running release's image of a service since kept out of the environment is dropped.
  for (const s of servicesIn(options.platform, options.env).sort((a, b) => byCodePoint(a.name, b.name))) {
    const ref = sets[s.name] ?? options.base?.[s.name] ?? derivedImage(s.image, options.git.commit);
    if (ref) images[s.name] = ref;
    else {
      notes.push(
        `${s.name}: ${s.image} is an upstream image the catalog gives no version and CIOS does not build from commits; left unreleased (renders :unreleased, which the policy warns about outside prod). Pin it with --set ${s.name}=<version> or a release file.`,
      );
    }
  }
  for (const i of supportImages(options.platform, options.env)) {
    const ref = sets[i.key] ?? options.base?.[i.key];
    if (ref) images[i.key] = ref;
  }
  const release = parseSpec(
    Release,
    { environment: options.env.name, commit: options.git.commit, createdBy: options.createdBy, createdAt: options.git.committedAt, images },
    '--set release',
  );
  return { release, notes };
}

/** The image a commit implies: the catalog names repositories only, and only CIOS images are built from commits. */
function derivedImage(repository: string, commit: string): string | undefined {
  return repository.startsWith(CIOS_REGISTRY_PREFIX) ? `${repository}:${commit.slice(0, 12)}` : undefined;
}

export interface ServiceDiff {
  readonly service: string;
  readonly change: 'added' | 'changed' | 'removed' | 'unchanged';
  /** A support image (a backup job's tool image), not a service. */
  readonly support?: boolean;
  readonly from?: string;
  readonly to?: string;
}

export function diffImages(from: Readonly<Record<string, string>> | undefined, to: Readonly<Record<string, string>>): ServiceDiff[] {
  const names = [...new Set([...Object.keys(from ?? {}), ...Object.keys(to)])].sort();
  return names.map((service) => {
    const a = from?.[service];
    const b = to[service];
    if (a === undefined) return { service, change: 'added', to: b as string };
    if (b === undefined) return { service, change: 'removed', from: a };
    return { service, change: a === b ? 'unchanged' : 'changed', from: a, to: b };
  });
}
