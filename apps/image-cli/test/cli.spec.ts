import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platform } from '@cios/catalog';
import { buildCommand, imageTargets } from '../src/index.js';
import { WORKSPACE_ROOT } from './helpers/fixture-repo.js';
import { freePort } from './helpers/registry.js';
import { cli } from './helpers/run-cli.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'cios-image-cli-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(scratch, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const PINNED = 'docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0';

describe('cios-image lint', () => {
  it('passes the repository: every project Dockerfile, rendered Dockerfile and docker/*/Dockerfile', async () => {
    const result = await cli(['lint', '--json'], { cwd: WORKSPACE_ROOT });
    const report = JSON.parse(result.stdout) as { ok: boolean; reports: { file: string; findings: unknown[] }[] };
    expect(report.reports.map((r) => r.file)).toEqual(expect.arrayContaining(['apps/sample-api/Dockerfile', 'docker/platform-cli/Dockerfile']));
    expect(report.reports.filter((r) => r.findings.length > 0)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('a secret value in ENV or ARG: exit 1, file:line, rule, and the value never printed', async () => {
    const path = file('secret/Dockerfile', `FROM ${PINNED}\nARG NPM_TOKEN=npm_abcdef123456\nENV DB_PASSWORD=hunter2\nUSER 10001\nCMD ["node"]\n`);
    const result = await cli(['lint', path], { cwd: scratch });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('secret/Dockerfile:2: error CIOS-DF-008 ARG NPM_TOKEN has a literal value');
    expect(result.stdout).toContain('secret/Dockerfile:3: error CIOS-DF-008 ENV DB_PASSWORD has a literal value');
    expect(result.stdout).toContain('fix: Pass credentials at run time');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    expect(result.stdout + result.stderr).not.toContain('npm_abcdef123456');
  });

  it('a tag-only base fails under production rules and only warns with --dev', async () => {
    const path = file('tag/Dockerfile', 'FROM node:20-bookworm-slim\nUSER 10001\nCMD ["node"]\n');
    expect((await cli(['lint', path], { cwd: scratch })).code).toBe(1);
    const dev = await cli(['lint', '--dev', path], { cwd: scratch });
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain('warning CIOS-DF-001');
  });

  it('a missing file is a clear refusal; an unknown flag is a usage error', async () => {
    const missing = await cli(['lint', 'nope/Dockerfile'], { cwd: scratch });
    expect(missing).toMatchObject({ code: 1, stderr: 'cios-image lint: nope/Dockerfile does not exist\n' });
    const usage = await cli(['lint', '--frobnicate'], { cwd: scratch });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Unknown option '--frobnicate'");
    expect(usage.stderr).toContain('Usage: cios-image lint');
  });
});

describe('cios-image check-release', () => {
  const release = (images: Record<string, string>, environment = 'prod') => ({
    environment,
    commit: 'abcdef1234567',
    createdBy: 'ci',
    createdAt: '2026-01-01T00:00:00Z',
    images,
  });

  it('a prod release with a tag instead of a digest: exit 1 naming the file and the field', async () => {
    const path = file('rel/tagged.json', JSON.stringify(release({ 'case-service': 'ghcr.io/cios/case-service:1.2.3', gateway: `ghcr.io/cios/gateway@${DIGEST}` })));
    const result = await cli(['check-release', path], { cwd: scratch });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path} is invalid:`);
    expect(result.stderr).toContain('images.case-service: "ghcr.io/cios/case-service:1.2.3" is pinned by tag only; prod requires a digest');
    expect(result.stderr).not.toContain('gateway');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('the same tag is fine for dev, and a schema error names its field', async () => {
    const dev = file('rel/dev.json', JSON.stringify(release({ 'case-service': 'ghcr.io/cios/case-service:1.2.3' }, 'dev')));
    expect((await cli(['check-release', dev], { cwd: scratch })).code).toBe(0);
    const bad = file('rel/bad.json', JSON.stringify({ ...release({}), commit: 'not-a-sha' }));
    const result = await cli(['check-release', bad], { cwd: scratch });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/commit \(\S*rel\/bad\.json:1:\d+\): must be a git commit SHA/);
    const broken = file('rel/broken.json', '{"environment": ');
    expect((await cli(['check-release', broken], { cwd: scratch })).stderr).toMatch(/not valid JSON at line \d+, column \d+/);
  });

  it('sample-api belongs in a dev release only: a staging release naming it is refused, saying where it runs', async () => {
    const images = { 'case-service': 'ghcr.io/cios/case-service:1.2.3', 'sample-api': 'ghcr.io/cios/sample-api:1.2.3' };
    expect((await cli(['check-release', file('rel/sample-dev.json', JSON.stringify(release(images, 'dev')))], { cwd: scratch })).code).toBe(0);
    const staging = file('rel/sample-staging.json', JSON.stringify(release(images, 'staging')));
    const result = await cli(['check-release', staging], { cwd: scratch });
    expect(result).toMatchObject({ code: 1, stderr: `cios-image check-release: ${staging}: images.sample-api: sample-api does not run in staging (its environments: dev)\n` });
  });
});

describe('cios-image release and push: refusals', () => {
  it('an unreachable registry: exit 1, a sentence naming it, no release file', async () => {
    const port = await freePort();
    const out = join(scratch, 'unreachable', 'release.json');
    const result = await cli(['release', '--env', 'prod', '--registry', `127.0.0.1:${port}`, '--insecure', '--out', out, '--by', 'test', '--tag', 'x'], { cwd: WORKSPACE_ROOT });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no release written: the registry 127.0.0.1:${port} is unreachable`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(dirname(out))).toBe(false);
  });

  it('an unknown environment, a bad registry and missing flags', async () => {
    const unknown = await cli(['release', '--env', 'qa', '--registry', 'r.io', '--out', 'x.json'], { cwd: WORKSPACE_ROOT });
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('unknown environment "qa"; the catalog has: dev, staging, prod');
    const bad = await cli(['push', 'sample-api', '--registry', 'https://r.io'], { cwd: WORKSPACE_ROOT });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--registry "https://r.io" is not HOST[:PORT][/path]');
    expect((await cli(['release', '--env', 'prod'], { cwd: WORKSPACE_ROOT })).code).toBe(2);
    expect((await cli(['build'], { cwd: WORKSPACE_ROOT })).stderr).toContain('build needs SERVICE… or --all');
  });
});

describe('cios-image build: targets and builders', () => {
  it('maps services to build contexts and says why catalog services without source are skipped', () => {
    const targets = imageTargets(WORKSPACE_ROOT, platform.services);
    const sample = targets.find((t) => t.name === 'sample-api');
    // A catalog service now: its target is the catalog's (port, user, probes), built from its own Dockerfile.
    const spec = platform.services.find((s) => s.name === 'sample-api');
    expect(sample).toMatchObject({ repository: 'cios/sample-api', runAsUser: 10001, dockerfile: join(WORKSPACE_ROOT, 'apps/sample-api/Dockerfile') });
    expect(sample).toMatchObject({ port: spec?.port, runAsUser: spec?.runAsUser, health: spec?.health, contextDir: join(WORKSPACE_ROOT, 'apps/sample-api') });
    expect(targets.filter((t) => t.name === 'sample-api')).toHaveLength(1);
    const catalogService = targets.find((t) => t.name === platform.services[0]?.name);
    expect(catalogService?.skipped).toMatch(/^its source directory \S+ is not in this repository$/);
  });

  it('--all builds what has source and reports the skipped services with reasons', async () => {
    const result = await cli(['build', '--all', '--json'], { cwd: WORKSPACE_ROOT, env: { ...process.env, CIOS_IMAGE_BUILDER: 'none', PATH: '/nonexistent' } });
    // With no builder available the run stops before building, but the skipped list has been reported.
    expect(result.code).toBe(1);
    const withoutSource = platform.services.filter((s) => s.name !== 'sample-api');
    for (const service of withoutSource) expect(result.stderr).toContain(`skipped ${service.name}: its source directory`);
    expect(result.stderr).not.toContain('skipped sample-api');
  });

  /** A PATH with git and node but neither docker nor buildah. */
  function gitAndNodeOnly(): string {
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['git', 'node']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (!existsSync(join(bin, tool))) symlinkSync(found, join(bin, tool));
    }
    return bin;
  }

  it('a missing builder: exit 1, a clear sentence, nothing written', async () => {
    // The output directory may be there from an earlier build on this checkout: nothing in it may change.
    const output = join(WORKSPACE_ROOT, 'dist/images/sample-api');
    const snapshot = (): string[] | null => {
      if (!existsSync(output)) return null;
      const entries = readdirSync(output, { recursive: true, withFileTypes: true }).map((e) => join(e.parentPath, e.name));
      return entries.map((path) => `${path}:${statSync(path).mtimeMs}`).sort();
    };
    const before = snapshot();
    const result = await cli(['build', 'sample-api'], { cwd: WORKSPACE_ROOT, env: { ...process.env, PATH: gitAndNodeOnly(), CIOS_IMAGE_BUILDER: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'cios-image build: no image builder found: no Docker engine answers "docker info" and buildah is not on PATH; install buildah (apt-get install buildah) or start Docker\n',
    );
    expect(snapshot()).toEqual(before);
  });

  it('a --build-arg that swaps a pinned base for an unpinned one is refused before the builder runs', async () => {
    // buildah is named but not on PATH: were the build not refused, it would fail on the missing binary instead.
    const env = { ...process.env, PATH: gitAndNodeOnly(), CIOS_IMAGE_BUILDER: 'buildah' };
    const latest = await cli(['build', 'sample-api', '--no-archive', '--no-sbom', '--build-arg', 'BASE_IMAGE=node:latest'], { cwd: WORKSPACE_ROOT, env });
    expect(latest.code).toBe(1);
    expect(latest.stderr).toContain('cios-image build: refusing to build sample-api: its Dockerfile breaks the image rules');
    expect(latest.stderr).toContain('apps/sample-api/Dockerfile:17: error CIOS-DF-002 base image "node:latest" (from --build-arg BASE_IMAGE) uses the "latest" tag');
    const tagOnly = await cli(['build', 'sample-api', '--no-archive', '--no-sbom', '--build-arg', 'BUILD_IMAGE=node:20-bookworm-slim'], { cwd: WORKSPACE_ROOT, env });
    expect(tagOnly.code).toBe(1);
    expect(tagOnly.stderr).toContain('error CIOS-DF-001 base image "node:20-bookworm-slim" (from --build-arg BUILD_IMAGE) is pinned by tag only');
  });

  it('buildah runs rootless with chroot isolation, one layer per step and the commit timestamp', () => {
    const { command, args } = buildCommand(
      'buildah',
      { contextDir: '/ctx', dockerfile: '/ctx/Dockerfile', image: 'localhost/cios/x:abc', layerEpoch: 0, buildArgs: { REVISION: 'abc', BASE_IMAGE: 'b' }, labels: { a: '1' } },
      { CIOS_BUILDAH_ROOT: '/s' },
    );
    expect(command).toBe('buildah');
    expect(args.join(' ')).toBe(
      '--storage-driver vfs --root /s bud --isolation chroot --layers --timestamp 0 --identity-label=false --label a=1 --build-arg BASE_IMAGE=b --build-arg REVISION=abc -f /ctx/Dockerfile -t localhost/cios/x:abc /ctx',
    );
  });
});

describe('the built CLI', () => {
  it('answers --help through its bin script with exit 0, and an unknown command with exit 2', () => {
    const bin = join(WORKSPACE_ROOT, 'apps/image-cli/bin/cios-image.js');
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: cios-image <command>');
    const unknown = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    for (const command of ['lint', 'build', 'push', 'release', 'check-release', 'dockerfile']) {
      const out = execFileSync(process.execPath, [bin, command, '--help'], { encoding: 'utf8' });
      expect(out).toContain(`Usage: cios-image ${command}`);
    }
  });

  it('renders a Dockerfile from a service spec', async () => {
    const result = await cli(['dockerfile', 'sample-api'], { cwd: WORKSPACE_ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('USER 10001');
    expect(readFileSync(join(WORKSPACE_ROOT, 'apps/sample-api/Dockerfile'), 'utf8')).toContain('USER 10001');
  });
});
