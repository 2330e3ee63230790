import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArtifactStore, type RenderedRelease, describeRendered } from './artifacts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-art-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function rendered(tag: string, commit = 'a'.repeat(40)): RenderedRelease {
  return {
    release: { environment: 'dev', commit, createdBy: 'Release Agent', createdAt: '2026-01-01T00:00:00Z', images: { web: `ghcr.io/cios/web:${tag}` } },
    stacks: { zeta: `{"resource":{"terraform_data":{"z":{"input":"${tag}"}}}}`, alpha: '{"resource":{}}' },
    monitoring: { 'rules/web.yml': 'groups: []\n' },
  };
}

describe('ArtifactStore', () => {
  const store = new ArtifactStore(dir);

  it('addresses releases by content: same input, same id and bytes; any change, a new id', () => {
    const a = store.save(rendered('1.0.0'));
    const again = store.save(rendered('1.0.0'));
    expect(again.id).toBe(a.id);
    expect(a.id).toMatch(/^[0-9a-f]{12}$/);
    const newCommit = describeRendered(rendered('1.0.0', 'b'.repeat(40)));
    expect(newCommit.id).not.toBe(a.id);
    expect(newCommit.releaseHash).not.toBe(a.releaseHash);
    // A new commit with identical files leaves the plan hash alone: approvals bind both.
    expect(newCommit.planHash).toBe(a.planHash);
    expect(describeRendered(rendered('1.0.1')).planHash).not.toBe(a.planHash);
  });

  it('loads exactly what was saved, stack order included, and refuses a tampered file', () => {
    const ref = store.save(rendered('2.0.0'));
    const { rendered: back } = store.load('dev', ref.id);
    expect(Object.keys(back.stacks)).toEqual(['zeta', 'alpha']);
    expect(back.release.images).toEqual({ web: 'ghcr.io/cios/web:2.0.0' });
    fs.appendFileSync(path.join(ref.dir, 'stacks', 'alpha', 'cdk.tf.json'), ' ');
    expect(() => store.load('dev', ref.id)).toThrow(/stacks\/alpha\/cdk.tf.json does not match its recorded sha256/);
  });

  it('keeps the last N applied plus pinned releases', () => {
    const s = new ArtifactStore(path.join(dir, 'retention'));
    const ids = ['1', '2', '3', '4', '5'].map((v, i) => {
      const ref = s.save(rendered(`3.0.${v}`));
      s.markApplied('dev', ref.id, `2026-01-0${i + 1}T00:00:00Z`);
      return ref.id;
    });
    const removed = s.prune('dev', 2, new Set([ids[0] as string]));
    expect(removed.sort()).toEqual([ids[1], ids[2]].sort());
    expect(s.list('dev').sort()).toEqual([ids[0], ids[3], ids[4]].sort());
  });
});

describe('ArtifactStore.load of a damaged artifact.json', () => {
  const store = new ArtifactStore(dir);

  it('names the manifest and the place of a truncated one', () => {
    const ref = store.save(rendered('3.0.0'));
    const manifest = path.join(ref.dir, 'artifact.json');
    const text = fs.readFileSync(manifest, 'utf8');
    fs.writeFileSync(manifest, text.slice(0, 40));
    expect(() => store.load('dev', ref.id)).toThrow(new RegExp(`^${manifest.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: not valid JSON`));
  });

  it('names the manifest and the field that is wrong', () => {
    const ref = store.save(rendered('3.0.1'));
    const manifest = path.join(ref.dir, 'artifact.json');
    const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { files: Record<string, string> };
    fs.writeFileSync(manifest, JSON.stringify({ ...json, files: { ...json.files, 'release.json': 42 } }, null, 2));
    expect(() => store.load('dev', ref.id)).toThrow(`${manifest} is invalid`);
    expect(() => store.load('dev', ref.id)).toThrow(/files\.release\.json.*: Invalid input: expected string/);
  });
});
