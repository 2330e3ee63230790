import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { buildRelease, manifestDigest, parseReleaseText, RegistryError, repositoryPath } from '@cios/containers';
import { parseImageRef, servicesIn, SpecError, type Environment, type Release } from '@cios/platform-spec';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { gitUser, headCommit } from '../git.js';
import { writeFileAtomic } from '../io.js';
import { parseRegistry, registryAccess, remoteRepository } from '../registry-access.js';
import { supportImages } from '../support-images.js';

export const RELEASE_HELP = `Usage: cios-image release --env ENV --registry HOST[:PORT] --out FILE [options]

Writes a release file (schema Release) naming, for every service of the catalog that runs in ENV (its
environments), the image the registry holds at REGISTRY/<repository>:<tag> pinned by digest, and those services'
support images (the backup jobs' images, e.g. backup-tools) at the tag the catalog names, under their repository's
last path segment; fails naming each service or support image whose image is missing. SBOMs found
in --sbom-dir are copied next to the release (sboms/<service>.cdx.json) and recorded in it.

  --env ENV          environment (dev, staging, prod)
  --registry HOST    registry to read digests from
  --out FILE         release file to write (atomically)
  --insecure         plain HTTP (a loopback registry)
  --tag TAG          tag the images were pushed with (default: the commit)
  --commit SHA       commit of the release (default: git rev-parse HEAD)
  --by WHO           who makes it (default: git config user.name/email, else $USER)
  --sbom-dir DIR     where build wrote SBOMs (default: dist/images/sboms)
  --base FILE        the environment's previous release: a service with no image at --tag (not rebuilt by
                     this commit, or built in its own repository) keeps the digest-pinned image it names there,
                     and the SBOM kept next to it; each one carried over is listed
  --json             the release as JSON on stdout

createdAt is SOURCE_DATE_EPOCH when set, else now. Exit: 0 written, 1 refused or failed, 2 usage.`;

export interface ReleaseOptions {
  readonly env: string;
  readonly registry: string;
  readonly out: string;
  readonly insecure: boolean;
  readonly tag?: string;
  readonly commit?: string;
  readonly by?: string;
  readonly sbomDir?: string;
  readonly base?: string;
}

const CONCURRENCY = 8;

export async function runRelease(context: CommandContext, options: ReleaseOptions): Promise<number> {
  const { io, root, progress, platform } = context;
  const environment = platform.environments.find((e) => e.name === options.env);
  if (!environment) {
    throw new CliError(`unknown environment "${options.env}"; the catalog has: ${platform.environments.map((e) => e.name).join(', ')}`);
  }
  const commit = options.commit ?? headCommit(root);
  const tag = options.tag ?? commit;
  const createdBy = options.by ?? gitUser(root) ?? io.env['USER'];
  if (!createdBy) throw new CliError('cannot tell who makes the release: pass --by, or set git config user.name or $USER');
  const epoch = io.env['SOURCE_DATE_EPOCH'];
  const createdAt = (epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date()).toISOString();
  const registry = parseRegistry(options.registry);
  if (!registry) throw new CliError(`--registry "${options.registry}" is not HOST[:PORT][/path]`);
  const access = registryAccess(registry, options.insecure, io.env);
  const basePath = options.base === undefined ? undefined : resolve(io.cwd, options.base);
  const base = basePath === undefined ? undefined : readBaseRelease(basePath, options.base as string, environment as Environment);

  // Only what runs in the environment: a service kept out of it needs no image there, and a release naming it is refused.
  const services = servicesIn(platform, environment);
  const support = supportImages({ services });
  const clash = support.find((i) => services.some((s) => s.name === i.key));
  if (clash) throw new CliError(`support image ${clash.image} would be recorded as "${clash.key}", which is also a service of the catalog`);
  progress.step(`reading ${services.length} digests from ${options.registry} at tag ${tag}${support.length > 0 ? `, and ${support.length} support image(s)` : ''}`);
  const read = await mapLimit(services, CONCURRENCY, async (service): Promise<DigestResult> => {
    const path = remoteRepository(registry, repositoryPath(service.image));
    try {
      const digest = await manifestDigest(access, path, tag);
      return { service: service.name, ref: `${registry.host}/${path}@${digest}` };
    } catch (error) {
      if (error instanceof RegistryError) return { service: service.name, error };
      throw error;
    }
  });
  // Support images are versioned on their own (not built per commit): read the catalog's tag and keep it next to the digest.
  const supportResults = await mapLimit(support, CONCURRENCY, async (image): Promise<{ key: string; label: string; ref?: string; error?: RegistryError }> => {
    const path = remoteRepository(registry, repositoryPath(image.repository));
    const label = `${image.key} (support image ${image.image}, used by the backup jobs of ${image.usedBy.join(', ')})`;
    try {
      const digest = await manifestDigest(access, path, image.reference);
      const tagPart = image.reference.startsWith('sha256:') ? '' : `:${image.reference}`;
      return { key: image.key, label, ref: `${registry.host}/${path}${tagPart}@${digest}` };
    } catch (error) {
      if (error instanceof RegistryError) return { key: image.key, label, error };
      throw error;
    }
  });
  const unreachable = [...read, ...supportResults].find((r) => r.error?.kind === 'unreachable');
  if (unreachable?.error) throw new CliError(`no release written: ${unreachable.error.message}`);
  const { results, carried } = carryOver(read, base);
  const failed = results.filter((r) => r.error);
  const failedSupport = supportResults.filter((r) => r.error);
  if (failed.length > 0 || failedSupport.length > 0) {
    const parts: string[] = [];
    if (failed.length > 0) {
      parts.push(
        `${failed.length} of ${services.length} services have no image in ${options.registry} at tag ${tag}:\n${failed.map((r) => `  - ${r.service}: ${r.error?.message}`).join('\n')}`,
      );
    }
    if (failedSupport.length > 0) {
      parts.push(
        `${failedSupport.length} of ${support.length} support images are missing in ${options.registry}:\n${failedSupport.map((r) => `  - ${r.label}: ${r.error?.message}`).join('\n')}`,
      );
    }
    throw new CliError(`no release written: ${parts.join('\n')}`);
  }
  progress.done(`read ${services.length + support.length - carried.length} digests${carried.length > 0 ? `; ${carried.length} carried over from ${options.base}` : ''}`);
  for (const c of carried) progress.step(`${c.service}: no image at tag ${tag}, kept ${c.ref} from the base release`);

  const out = resolve(io.cwd, options.out);
  const sbomDir = resolve(io.cwd, options.sbomDir ?? join(root, 'dist/images/sboms'));
  // An image's SBOM comes from where that image was built: this build's --sbom-dir, or the base release's files
  // (kept next to it) for an image carried over, so no SBOM is ever recorded against an image it does not describe.
  const carriedNames = new Set(carried.map((c) => c.service));
  const sbomSources: Record<string, string> = {};
  for (const service of services) {
    const baseSbom = base?.sboms?.[service.name];
    const source = carriedNames.has(service.name)
      ? baseSbom && join(dirname(basePath as string), baseSbom)
      : join(sbomDir, `${service.name}.cdx.json`);
    if (source && existsSync(source)) sbomSources[service.name] = source;
  }
  const sboms = Object.fromEntries(Object.keys(sbomSources).map((service) => [service, `sboms/${service}.cdx.json`]));
  const images = Object.fromEntries([...results.map((r) => [r.service, r.ref as string]), ...supportResults.map((r) => [r.key, r.ref as string])]);
  let release;
  try {
    release = buildRelease({ environment: environment as Environment, commit, createdBy, createdAt, images, sboms });
  } catch (error) {
    if (error instanceof SpecError) throw new CliError(`no release written: ${error.message}`);
    throw error;
  }
  for (const [service, path] of Object.entries(sboms)) {
    const target = join(dirname(out), path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(sbomSources[service] as string, `${target}.tmp-${process.pid}`);
    renameSync(`${target}.tmp-${process.pid}`, target);
  }
  const text = `${JSON.stringify(release, null, 2)}\n`;
  writeFileAtomic(out, text);
  if (context.json) io.stdout(text);
  else io.stdout(`release for ${environment.name} at ${commit.slice(0, 12)}: ${results.length} service images${supportResults.length > 0 ? ` + ${supportResults.length} support image(s)` : ''} → ${relative(io.cwd, out) || out}\n`);
  return 0;
}

/** The previous release of the same environment; only its digest-pinned images can be carried over. */
function readBaseRelease(path: string, label: string, environment: Environment): Release {
  if (!existsSync(path)) throw new CliError(`--base ${label} does not exist`);
  let release: Release;
  try {
    release = parseReleaseText(readFileSync(path, 'utf8'), label);
  } catch (error) {
    if (error instanceof SpecError) throw new CliError(`--base ${error.message}`);
    throw error;
  }
  if (release.environment !== environment.name) {
    throw new CliError(`--base ${label} is a release for ${release.environment}, not ${environment.name}: carry images over only within one environment`);
  }
  return release;
}

type DigestResult = { service: string; ref?: string; error?: RegistryError };

/**
 * Services missing at this tag take the base release's image when it is pinned by digest; anything else
 * missing stays an error. Returns the results with those filled in, and what was carried over.
 */
function carryOver(results: readonly DigestResult[], base: Release | undefined): { results: DigestResult[]; carried: { service: string; ref: string }[] } {
  const carried: { service: string; ref: string }[] = [];
  const filled = results.map((r): DigestResult => {
    const previous = base?.images[r.service];
    if (r.error?.kind !== 'missing' || !previous || !parseImageRef(previous)?.digest) return r;
    carried.push({ service: r.service, ref: previous });
    return { service: r.service, ref: previous };
  });
  return { results: filled, carried };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
