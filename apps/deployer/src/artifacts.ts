import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { byCodePoint, parseJsonText, type Release } from '@cios/platform-spec';
import { hashFiles, sha256, stableStringify } from './hash.js';
import { readJsonFile, writeFileAtomic } from './fs-atomic.js';

/** Everything a release applies: its metadata, the Terraform JSON per stack and the monitoring files. */
export interface RenderedRelease {
  readonly release: Release;
  /** Stack name → cdk.tf.json text. */
  readonly stacks: Readonly<Record<string, string>>;
  /** Relative path → file text. */
  readonly monitoring: Readonly<Record<string, string>>;
}

export interface ArtifactRef {
  /** Short sha256 of every content file: the release id. */
  readonly id: string;
  readonly environment: string;
  readonly dir: string;
  /** Binds an approval to this release's metadata (images, commit, author). */
  readonly releaseHash: string;
  /** Binds an approval to what would be applied (stacks and monitoring). */
  readonly planHash: string;
}

/** `artifact.json`: what the artifact holds and each file's sha256, checked before anything is applied. */
const Manifest = z.object({
  id: z.string().min(1),
  environment: z.string().min(1),
  release_hash: z.string().min(1),
  plan_hash: z.string().min(1),
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256 in hex' })),
});
type Manifest = z.infer<typeof Manifest>;

const ID_LENGTH = 12;
const MANIFEST = 'artifact.json';

export function releaseHash(release: Release): string {
  const { id: _id, ...rest } = release;
  return sha256(stableStringify(rest));
}

export function contentFiles(rendered: RenderedRelease): Record<string, string> {
  const { id: _id, ...release } = rendered.release;
  const files: Record<string, string> = { 'release.json': `${JSON.stringify(release, null, 2)}\n` };
  // Stack order is content: stacks apply in it and destroy in reverse.
  files['stacks/ORDER'] = Object.keys(rendered.stacks).map((n) => `${n}\n`).join('');
  for (const [name, text] of Object.entries(rendered.stacks)) files[`stacks/${name}/cdk.tf.json`] = text;
  for (const [rel, text] of Object.entries(rendered.monitoring)) files[`monitoring/${rel}`] = text;
  return files;
}

/** The ids and hashes a rendered release will have, without writing anything. */
export function describeRendered(rendered: RenderedRelease): Omit<ArtifactRef, 'dir'> {
  const files = contentFiles(rendered);
  const planFiles = Object.fromEntries(Object.entries(files).filter(([p]) => p !== 'release.json'));
  return {
    id: hashFiles(files).slice(0, ID_LENGTH),
    environment: rendered.release.environment,
    releaseHash: releaseHash(rendered.release),
    planHash: hashFiles(planFiles),
  };
}

/**
 * Content-addressed release artifacts under `<stateDir>/releases/<env>/<id>/`:
 * a rollback applies exactly the files that ran before. Deployment evidence lives in
 * `deployments/` inside the same directory and is not part of the content hash.
 */
export class ArtifactStore {
  constructor(readonly stateDir: string) {}

  envDir(environment: string): string {
    return path.join(this.stateDir, 'releases', environment);
  }

  dirOf(environment: string, id: string): string {
    return path.join(this.envDir(environment), id);
  }

  save(rendered: RenderedRelease): ArtifactRef {
    const d = describeRendered(rendered);
    const dir = this.dirOf(d.environment, d.id);
    const ref: ArtifactRef = { ...d, dir };
    if (fs.existsSync(path.join(dir, MANIFEST))) return ref;
    const files = contentFiles(rendered);
    const tmp = path.join(this.envDir(d.environment), `.tmp-${d.id}-${randomBytes(4).toString('hex')}`);
    const manifest: Manifest = {
      id: d.id,
      environment: d.environment,
      release_hash: d.releaseHash,
      plan_hash: d.planHash,
      files: Object.fromEntries(Object.keys(files).sort().map((p) => [p, sha256(files[p] as string)])),
    };
    try {
      for (const [rel, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
        fs.writeFileSync(path.join(tmp, rel), text);
      }
      fs.writeFileSync(path.join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      fs.renameSync(tmp, dir);
    } catch (error) {
      fs.rmSync(tmp, { recursive: true, force: true });
      // Another run saved the same content first: identical by construction.
      if (!fs.existsSync(path.join(dir, MANIFEST))) throw error;
    }
    return ref;
  }

  has(environment: string, id: string): boolean {
    return fs.existsSync(path.join(this.dirOf(environment, id), MANIFEST));
  }

  /** Loads and verifies every file against the manifest: a tampered artifact is never applied. */
  load(environment: string, id: string): { rendered: RenderedRelease; ref: ArtifactRef } {
    const dir = this.dirOf(environment, id);
    const manifestPath = path.join(dir, MANIFEST);
    // A truncated or hand-edited manifest names its file and the line:column or field (MalformedFileError).
    const manifest = readJsonFile(manifestPath, Manifest);
    if (!manifest) throw new Error(`release artifact ${id} for ${environment} not found in ${dir}`);
    const unordered: Record<string, string> = {};
    let order: string[] = [];
    const monitoring: Record<string, string> = {};
    let release: Release | undefined;
    for (const [rel, digest] of Object.entries(manifest.files)) {
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      if (sha256(text) !== digest) throw new Error(`release artifact ${id}: ${rel} does not match its recorded sha256; refusing to use it`);
      // Its sha256 matched, so it is what was saved: parsed with its path named all the same.
      if (rel === 'release.json') release = parseJsonText(text, path.join(dir, rel)) as Release;
      else if (rel === 'stacks/ORDER') order = text.split('\n').filter((l) => l !== '');
      else if (rel.startsWith('stacks/')) unordered[rel.slice('stacks/'.length, -'/cdk.tf.json'.length)] = text;
      else if (rel.startsWith('monitoring/')) monitoring[rel.slice('monitoring/'.length)] = text;
    }
    if (!release) throw new Error(`release artifact ${id}: release.json missing`);
    const stacks: Record<string, string> = {};
    for (const name of order) if (unordered[name] !== undefined) stacks[name] = unordered[name];
    return {
      rendered: { release: { ...release, id }, stacks, monitoring },
      ref: { id, environment, dir, releaseHash: manifest.release_hash, planHash: manifest.plan_hash },
    };
  }

  list(environment: string): string[] {
    try {
      return fs
        .readdirSync(this.envDir(environment))
        .filter((n) => !n.startsWith('.') && this.has(environment, n))
        .sort();
    } catch {
      return [];
    }
  }

  /** Records when a release was applied here; retention keeps the most recently applied. */
  markApplied(environment: string, id: string, at: string): void {
    writeFileAtomic(path.join(this.dirOf(environment, id), 'deployments', 'last-applied'), `${at}\n`);
  }

  lastApplied(environment: string, id: string): string | undefined {
    try {
      return fs.readFileSync(path.join(this.dirOf(environment, id), 'deployments', 'last-applied'), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  evidencePath(environment: string, id: string, deploymentId: string): string {
    return path.join(this.dirOf(environment, id), 'deployments', `${deploymentId}.evidence.jsonl`);
  }

  /**
   * Keeps the `keepLast` most recently applied releases plus every id in `pinned`
   * (the rollback target, a deploy in progress); removes the rest. Returns what it removed.
   */
  prune(environment: string, keepLast: number, pinned: ReadonlySet<string>): string[] {
    const ids = this.list(environment);
    const ranked = ids
      .map((id) => ({ id, at: this.lastApplied(environment, id) ?? '' }))
      .sort((a, b) => (a.at === b.at ? byCodePoint(a.id, b.id) : byCodePoint(b.at, a.at)));
    const keep = new Set([...ranked.slice(0, keepLast).map((r) => r.id), ...pinned]);
    const removed: string[] = [];
    for (const { id } of ranked) {
      if (keep.has(id)) continue;
      fs.rmSync(this.dirOf(environment, id), { recursive: true, force: true });
      removed.push(id);
    }
    return removed;
  }
}
