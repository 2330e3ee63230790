import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffImages, notInEnvironment, parseSets, readReleaseFile, releaseFromSets, supportImages, unknownReleaseKeys } from './release-input.js';
import { Redactor, redactUrl } from './redact.js';
import { parseTestReport } from './gates.js';

// The CLI loads the catalog lazily (cli-run.ts), so tests import it the same way.
const { getEnvironment, platform } = await import('@cios/catalog');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-rel-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('release input', () => {
  it('names the file, line and column of a JSON syntax error', () => {
    const f = path.join(dir, 'bad.json');
    fs.writeFileSync(f, '{\n  "environment": "dev",\n  "commit": oops\n}\n');
    expect(() => readReleaseFile(f, 'dev')).toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:13: not valid JSON`));
  });

  it('names each invalid field', () => {
    const f = path.join(dir, 'fields.json');
    fs.writeFileSync(f, JSON.stringify({ environment: 'dev', commit: 'xyz', createdBy: 'a', createdAt: '2026-01-01T00:00:00Z', images: { web: 'ghcr.io/cios/web' } }));
    expect(() => readReleaseFile(f, 'dev')).toThrow(/commit \(.*fields\.json:1:\d+\): must be a git commit SHA[\s\S]*images\.web \(.*fields\.json:1:\d+\): .*neither tag nor digest/);
    expect(() => readReleaseFile(f, 'prod')).toThrow();
  });

  it('diffs images per service', () => {
    expect(diffImages({ a: 'x:1', b: 'y:1' }, { a: 'x:2', c: 'z:1', b: 'y:1' }).map((d) => `${d.service}:${d.change}`)).toEqual([
      'a:changed',
      'b:unchanged',
      'c:added',
    ]);
  });
});

describe('support images and upstream images', () => {
  const git = { commit: 'c'.repeat(40), committedAt: '2026-01-01T00:00:00Z' };
  const digest = `sha256:${'1'.repeat(64)}`;

  it('finds the distinct backup image repositories of the catalog under their last path segment', () => {
    expect(supportImages(platform, getEnvironment('dev'))).toEqual([
      { key: 'backup-tools', repository: 'ghcr.io/cios/backup-tools', image: 'ghcr.io/cios/backup-tools:1.4.0', usedBy: ['postgres', 'qdrant', 'redis'] },
    ]);
  });

  it('accepts backup-tools in --set and in a release, and names unknown keys', () => {
    const dev = getEnvironment('dev');
    expect(parseSets(['backup-tools=1.4.1'], platform, dev)).toEqual({ 'backup-tools': 'ghcr.io/cios/backup-tools:1.4.1' });
    expect(parseSets([`backup-tools=${digest}`], platform, dev)).toEqual({ 'backup-tools': `ghcr.io/cios/backup-tools@${digest}` });
    expect(() => parseSets(['backup-tool=1.0'], platform, dev)).toThrow(/"backup-tool" is not a service in the catalog \(known in dev: .*\) nor a support image \(known: backup-tools\)/);
    expect(unknownReleaseKeys({ 'backup-tools': 'x:1', 'case-service': 'y:1', mystery: 'z:1', 'other-tools': 'w:1' }, platform, dev)).toEqual(['mystery', 'other-tools']);
  });

  it('releases sample-api in dev only: --set and release keys for it are refused elsewhere, saying where it runs', () => {
    const [dev, staging, prod] = ['dev', 'staging', 'prod'].map((name) => getEnvironment(name));
    if (!dev || !staging || !prod) throw new Error('the catalog lacks dev, staging or prod');
    expect(parseSets(['sample-api=1.0.0'], platform, dev)).toEqual({ 'sample-api': 'ghcr.io/cios/sample-api:1.0.0' });
    for (const env of [staging, prod]) {
      expect(() => parseSets(['sample-api=1.0.0'], platform, env)).toThrow(
        `--set sample-api=1.0.0: sample-api does not run in ${env.name} (its environments: dev), so there is nothing of it to release here`,
      );
      expect(unknownReleaseKeys({ 'sample-api': 'x:1', 'case-service': 'y:1' }, platform, env)).toEqual(['sample-api']);
      expect(notInEnvironment('sample-api', platform, env)).toBe(`sample-api does not run in ${env.name} (its environments: dev): a release for ${env.name} cannot name it`);
    }
    expect(unknownReleaseKeys({ 'sample-api': 'x:1' }, platform, dev)).toEqual([]);
    expect(notInEnvironment('mystery', platform, dev)).toBe('neither a service of the catalog nor one of its support images (support images: backup-tools)');
  });

  it('builds a release from --set of the services the environment runs: sample-api in dev, not in staging', () => {
    const base = { 'sample-api': `ghcr.io/cios/sample-api@${digest}`, 'case-service': `ghcr.io/cios/case-service@${digest}` };
    const dev = releaseFromSets({ platform, env: getEnvironment('dev'), sets: [], base: undefined, git, createdBy: 't' }).release;
    expect(dev.images['sample-api']).toBe('ghcr.io/cios/sample-api:cccccccccccc');
    // A running release that still names it (made before it was kept out) does not carry it into staging's next one.
    const staging = releaseFromSets({ platform, env: getEnvironment('staging'), sets: [], base, git, createdBy: 't' }).release;
    expect(staging.images['sample-api']).toBeUndefined();
    expect(staging.images['case-service']).toBe(base['case-service']);
  });

  it('leaves upstream images without a version unreleased instead of tagging them with the commit, and says so', () => {
    const { release, notes } = releaseFromSets({ platform, env: getEnvironment('dev'), sets: ['redis=7.4.1', 'backup-tools=1.4.0'], base: undefined, git, createdBy: 't' });
    expect(release.images['case-service']).toBe('ghcr.io/cios/case-service:cccccccccccc');
    expect(release.images['redis']).toBe('docker.io/library/redis:7.4.1');
    expect(release.images['postgres']).toBeUndefined();
    expect(release.images['qdrant']).toBeUndefined();
    expect(release.images['backup-tools']).toBe('ghcr.io/cios/backup-tools:1.4.0');
    expect(Object.values(release.images).filter((i) => i.includes(git.commit.slice(0, 12))).every((i) => i.startsWith('ghcr.io/cios/'))).toBe(true);
    expect(notes.map((n) => n.split(':')[0])).toEqual(['postgres', 'qdrant']);
    expect(notes[0]).toContain('docker.io/library/postgres is an upstream image');
    expect(notes[0]).toContain('--set postgres=<version>');
  });

  it('keeps the running upstream image and support image of the base release', () => {
    const base = { postgres: 'docker.io/library/postgres:16.4', 'backup-tools': `ghcr.io/cios/backup-tools:1.4.0@${digest}` };
    const { release, notes } = releaseFromSets({ platform, env: getEnvironment('dev'), sets: [], base, git, createdBy: 't' });
    expect(release.images['postgres']).toBe('docker.io/library/postgres:16.4');
    expect(release.images['backup-tools']).toBe(base['backup-tools']);
    expect(notes.map((n) => n.split(':')[0])).toEqual(['qdrant', 'redis']);
  });
});

describe('redaction and reports', () => {
  it('masks URL credentials and registered values', () => {
    expect(redactUrl('see http://bot:t0ken@prom:9090/api')).toBe('see http://bot:***@prom:9090/api');
    const r = new Redactor().addFromUrl('http://bot:s3cr3t-value@prom:9090').add('hunter2-long');
    expect(r.redact('x s3cr3t-value y hunter2-long')).toBe('x *** y ***');
  });

  it('reads vitest JSON and JUnit XML reports', () => {
    expect(parseTestReport('{"numTotalTests":3,"numFailedTests":1}', 'r.json')).toEqual({ total: 3, failed: 1, source: 'r.json' });
    expect(parseTestReport('<testsuites tests="5" failures="0" errors="1"></testsuites>', 'r.xml')).toEqual({ total: 5, failed: 1, source: 'r.xml' });
    expect(() => parseTestReport('nope', 'r.txt')).toThrow(/not a JSON or JUnit XML/);
  });
});
