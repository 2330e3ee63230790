import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { type Environment, type Platform, Release, SpecError, parseImageRef, parseSpec } from '@cios/platform-spec';
import { jsonErrorOffset, lineColumnAt } from './json-locate.js';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** JSON.parse with the error placed at line:column of the file. */
export function parseJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineColumnAt(text, offset < 0 ? text.length : offset);
    const near = text.slice(offset, offset + 12).split('\n')[0] ?? '';
    throw new InputError(`${file}:${line}:${column}: invalid JSON${near ? ` at "${near}"` : ' (unexpected end)'}`);
  }
}

export function readReleaseFile(file: string, environment: string): Release {
  let release: Release;
  try {
    release = parseSpec(Release, parseJsonFile(file), file);
  } catch (error) {
    if (error instanceof SpecError) throw new InputError(error.message);
    throw error;
  }
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

/** `--set svc=1.4.2`, `svc=sha256:…` or `svc=registry/repo:tag@sha256:…`. */
export function parseSets(sets: readonly string[], platform: Platform): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new InputError(`--set ${s}: expected service=tag (or service=image-reference)`);
    const name = s.slice(0, eq);
    const value = s.slice(eq + 1);
    const service = platform.services.find((x) => x.name === name);
    if (!service) throw new InputError(`--set ${s}: "${name}" is not a service in the catalog (known: ${platform.services.map((x) => x.name).join(', ')})`);
    const ref = value.includes('/') ? value : value.startsWith('sha256:') ? `${service.image}@${value}` : `${service.image}:${value}`;
    const parsed = parseImageRef(ref);
    if (!parsed || (!parsed.tag && !parsed.digest)) throw new InputError(`--set ${s}: "${ref}" is not an image reference with a tag or digest`);
    out[name] = ref;
  }
  return out;
}

/**
 * A release without a file: the images running now (base), changed by `--set`; services with
 * neither get the image built from this commit (tagged with its SHA, as CI tags them).
 */
export function releaseFromSets(options: {
  platform: Platform;
  env: Environment;
  sets: readonly string[];
  base: Readonly<Record<string, string>> | undefined;
  git: GitInfo;
  createdBy: string;
}): Release {
  const sets = parseSets(options.sets, options.platform);
  const images: Record<string, string> = {};
  for (const s of [...options.platform.services].sort((a, b) => a.name.localeCompare(b.name))) {
    images[s.name] = sets[s.name] ?? options.base?.[s.name] ?? `${s.image}:${options.git.commit.slice(0, 12)}`;
  }
  return parseSpec(
    Release,
    { environment: options.env.name, commit: options.git.commit, createdBy: options.createdBy, createdAt: options.git.committedAt, images },
    '--set release',
  );
}

export interface ServiceDiff {
  readonly service: string;
  readonly change: 'added' | 'changed' | 'removed' | 'unchanged';
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
