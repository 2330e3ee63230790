import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEnvironment, platform } from '@cios/catalog';
import { repositoryPath } from '@cios/containers';
import { synthEnvironment } from '@cios/infra';
import { Release, parseImageRef, servicesIn } from '@cios/platform-spec';
import { parseRecord } from '../src/image-archive.js';
import { cacheDir, clearBuildCache, ensureBaseImage, pinnedBaseImage, testStorage, type BuildahStorage } from './helpers/base-image.mjs';
import { sampleApiRepo } from './helpers/fixture-repo.js';
import { copyWithinRegistry, startRegistry, type LocalRegistry } from './helpers/registry.js';
import { cli } from './helpers/run-cli.js';
import { imageToolsGate } from './helpers/tools.js';

const gate = imageToolsGate();
/** What a release of each environment must name: the services that run there (sample-api runs in dev only). */
const servicesOf = (environment: string) => servicesIn(platform, getEnvironment(environment));
const prodServices = servicesOf('prod');
const log = (line: string) => process.stderr.write(`[image tests] ${line}\n`);

interface Manifest {
  layers: { digest: string }[];
  config: { digest: string };
}

describe.skipIf(!gate.run)(`build → push → release with buildah and a loopback registry${gate.reason ? ` (skipped: ${gate.reason})` : ''}`, () => {
  let registry: LocalRegistry;
  let storage: BuildahStorage;
  let repo: ReturnType<typeof sampleApiRepo>;
  let out: string;
  let env: NodeJS.ProcessEnv;
  let base: string;
  const pushed: Record<string, string> = {};

  const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' });
  const manifestOf = (text: string): Manifest => JSON.parse(text) as Manifest;
  const manifest = (ref: string): Manifest => manifestOf(skopeo('inspect', '--raw', '--tls-verify=false', `docker://${ref}`));

  async function buildAndPush(tag: string, extra: string[] = ['--no-sbom', '--no-archive']): Promise<string> {
    const build = await cli(['build', 'sample-api', '--tag', tag, '--build-arg', `BUILD_IMAGE=${base}`, '--build-arg', `BASE_IMAGE=${base}`, ...extra], { cwd: repo.dir, env });
    expect(build.stderr).not.toContain('failed');
    expect(build.code, build.stderr).toBe(0);
    const push = await cli(['push', 'sample-api', '--registry', registry.host, '--insecure', '--tag', tag, '--json'], { cwd: repo.dir, env });
    expect(push.code, push.stderr).toBe(0);
    const result = JSON.parse(push.stdout) as { pushed: { service: string; ref: string; digest: string; from: string }[] };
    expect(result.pushed[0]?.from).toBe('engine');
    const digest = result.pushed[0]?.digest as string;
    pushed[tag] = digest;
    return digest;
  }

  beforeAll(async () => {
    const cache = cacheDir();
    storage = testStorage(cache);
    log(`buildah storage driver: ${storage.driver}`);
    ensureBaseImage(storage, cache, log);
    base = pinnedBaseImage(storage);
    clearBuildCache(storage);
    registry = await startRegistry();
    repo = sampleApiRepo();
    out = mkdtempSync(join(tmpdir(), 'cios-image-out-'));
    env = { ...process.env, ...storage.env, CIOS_IMAGE_BUILDER: 'buildah' };
    delete env['SOURCE_DATE_EPOCH'];
  }, 300_000);

  afterAll(async () => {
    await registry?.stop();
    if (storage) {
      // Some are gone already (the archive test removes one): a failed rmi here is no test failure.
      for (const tag of Object.keys(pushed)) {
        spawnSync('buildah', [...storage.globals, 'rmi', '-f', `localhost/cios/sample-api:${tag}`], { stdio: 'ignore' });
      }
    }
    if (repo) rmSync(repo.dir, { recursive: true, force: true });
    if (out) rmSync(out, { recursive: true, force: true });
  }, 60_000);

  it('builds sample-api, pushes it and reads the same digest back from the registry API', async () => {
    const commit = repo.commit();
    const digest = await buildAndPush(commit, []);
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const response = await fetch(`http://${registry.host}/v2/cios/sample-api/manifests/${commit}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(response.headers.get('docker-content-digest')).toBe(digest);

    const config = JSON.parse(skopeo('inspect', '--config', '--tls-verify=false', `docker://${registry.host}/cios/sample-api@${digest}`)) as {
      config: { User?: string; Labels?: Record<string, string>; Entrypoint?: string[] };
      created: string;
    };
    expect(config.config.User).toBe('10001');
    expect(Number(config.config.User)).toBeGreaterThan(0);
    expect(config.config.Labels?.['org.opencontainers.image.revision']).toBe(commit);
    const epoch = Number(repo.git('show', '-s', '--format=%ct', commit));
    expect(config.config.Labels?.['org.opencontainers.image.created']).toBe(new Date(epoch * 1000).toISOString().replace('.000Z', 'Z'));
    // Layers and config carry a constant time, so unchanged inputs keep their bytes across commits.
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.config.Entrypoint).toEqual(['/nodejs/bin/node', 'bin/sample-api.js']);

    const sbom = JSON.parse(readFileSync(join(repo.dir, 'dist/images/sboms/sample-api.cdx.json'), 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      components: { name: string }[];
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.components.map((c) => c.name)).toContain('sample-api');
  });

  it('writes the image to dist/images/sample-api as an OCI archive with its record: the very image pushed', () => {
    const commit = repo.commit();
    const record = parseRecord(readFileSync(join(repo.dir, 'dist/images/sample-api/image.json'), 'utf8'), 'image.json');
    expect(record).toMatchObject({
      service: 'sample-api',
      image: `localhost/cios/sample-api:${commit}`,
      tag: commit,
      revision: commit,
      builder: 'buildah',
      archive: 'image.tar',
      transport: 'oci-archive',
      sbom: 'dist/images/sboms/sample-api.cdx.json',
    });
    // The archive holds the image build made (its config is the image id) and the manifest the registry got.
    expect(record.manifestDigest).toBe(pushed[commit]);
    const archive = `oci-archive:${join(repo.dir, 'dist/images/sample-api/image.tar')}`;
    expect(manifestOf(skopeo('inspect', '--raw', archive)).config.digest).toBe(`sha256:${record.imageId}`);
    expect(manifest(`${registry.host}/cios/sample-api@${pushed[commit]}`)).toEqual(manifestOf(skopeo('inspect', '--raw', archive)));
  });

  it('pushes from the archive when the engine no longer holds the image (a restored build cache), and only when asked', async () => {
    const commit = repo.commit();
    const record = parseRecord(readFileSync(join(repo.dir, 'dist/images/sample-api/image.json'), 'utf8'), 'image.json');
    execFileSync('buildah', [...storage.globals, 'rmi', `localhost/cios/sample-api:${commit}`], { stdio: 'ignore' });
    const inspect = spawnSync('buildah', [...storage.globals, 'inspect', '--type', 'image', `localhost/cios/sample-api:${commit}`], { stdio: 'ignore' });
    expect(inspect.status, 'the image is gone from buildah storage').not.toBe(0);
    // A later commit with the same inputs: the cache restored the archive, the engine has nothing at this tag.
    const args = ['push', 'sample-api', '--registry', registry.host, '--insecure', '--tag', 'restored', '--json'];
    const refused = await cli(args, { cwd: repo.dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'cios-image push: no image localhost/cios/sample-api:restored in buildah storage: build it first (cios-image build sample-api), ' +
        'or pass --from-archive to push the archive dist/images/sample-api/image.json describes\n',
    );
    const push = await cli([...args, '--from-archive'], { cwd: repo.dir, env });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain(`from dist/images/sample-api/image.tar (built at ${commit.slice(0, 12)}, image ${record.imageId.slice(0, 12)})`);
    const result = JSON.parse(push.stdout) as { pushed: { service: string; ref: string; digest: string; from: string }[] };
    expect(result.pushed).toEqual([{ service: 'sample-api', ref: `${registry.host}/cios/sample-api@${record.manifestDigest}`, digest: record.manifestDigest, from: 'archive' }]);
    // The same bytes as the push from the engine: one image, whichever way it reached the registry.
    expect(result.pushed[0]?.digest).toBe(pushed[commit]);
    const config = JSON.parse(skopeo('inspect', '--config', '--tls-verify=false', `docker://${registry.host}/cios/sample-api:restored`)) as {
      config: { Labels?: Record<string, string> };
    };
    expect(config.config.Labels?.['org.opencontainers.image.revision']).toBe(commit);
  });

  it('writes a prod release pinned by digest that the infrastructure synth for prod accepts', async () => {
    const commit = repo.commit();
    // Every service prod runs needs an image in a prod release: the sample-api image stands in under each one's repository.
    const copied = await copyWithinRegistry(registry.host, 'cios/sample-api', commit, prodServices.map((s) => repositoryPath(s.image)));
    expect(copied).toBe(pushed[commit]);
    // Its SBOM stands in as well, so the release records and keeps one per service.
    const sbomDir = join(out, 'built-sboms');
    mkdirSync(sbomDir, { recursive: true });
    for (const service of prodServices) copyFileSync(join(repo.dir, 'dist/images/sboms/sample-api.cdx.json'), join(sbomDir, `${service.name}.cdx.json`));
    const file = join(out, 'prod', 'release.json');
    const args = ['release', '--env', 'prod', '--registry', registry.host, '--insecure', '--out', file, '--by', 'image-tests', '--sbom-dir', sbomDir];
    // The backup jobs' support image is not in the registry yet: refused, naming it, nothing written.
    const missing = await cli(args, { cwd: repo.dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no release written: 1 of 1 support images are missing');
    expect(missing.stderr).toContain('  - backup-tools (support image ghcr.io/cios/backup-tools:1.4.0, used by the backup jobs of postgres, qdrant, redis): ');
    expect(existsSync(file)).toBe(false);
    // The sample-api image stands in for backup-tools too, at the tag the catalog names.
    const backupDigest = await copyWithinRegistry(registry.host, 'cios/sample-api', commit, ['cios/backup-tools'], '1.4.0');
    const result = await cli(args, { cwd: repo.dir, env });
    expect(result.code, result.stderr).toBe(0);
    const release = Release.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(release).toMatchObject({ environment: 'prod', commit, createdBy: 'image-tests' });
    expect(Object.keys(release.images).sort()).toEqual([...prodServices.map((s) => s.name), 'backup-tools'].sort());
    expect(release.images['sample-api']).toBeUndefined();
    expect(release.images['backup-tools']).toBe(`${registry.host}/cios/backup-tools:1.4.0@${backupDigest}`);
    for (const [service, path] of Object.entries(release.sboms ?? {})) {
      expect(path).toBe(`sboms/${service}.cdx.json`);
      expect(existsSync(join(out, 'prod', path))).toBe(true);
    }
    expect(Object.keys(release.sboms ?? {})).toHaveLength(prodServices.length);
    for (const ref of Object.values(release.images)) {
      expect(ref.startsWith(`${registry.host}/`)).toBe(true);
      expect(parseImageRef(ref)?.digest).toBe(pushed[commit]);
    }
    // The catalog names backup-tools by tag, which prod alone refuses (CIOS-IMG-003); @cios/infra takes the release's
    // entry of the same repository instead. Here the registry is local, so the catalog's repository is moved to it.
    const local = {
      ...platform,
      services: platform.services.map((s) => (s.backup ? { ...s, backup: { ...s.backup, image: `${registry.host}/cios/backup-tools:1.4.0` } } : s)),
    };
    const synth = synthEnvironment({ platform: local, environment: 'prod', release, outdir: join(out, 'synth') });
    expect(synth.stacks.length).toBeGreaterThan(0);
    const rendered = synth.stacks.map((s) => readFileSync(s.file, 'utf8')).join('\n');
    expect(rendered).toContain(`${registry.host}/cios/`);
    expect(rendered).toContain(`@${pushed[commit]}`);
    expect(rendered).toContain(`"${release.images['backup-tools']}"`);
    expect(rendered).not.toContain(`"${registry.host}/cios/backup-tools:1.4.0"`);
  });

  it('names sample-api in a dev release, which its own push supplies, and in no staging release', async () => {
    const commit = repo.commit();
    // The prod test above put an image under every other repository at this commit, and backup-tools at its tag.
    expect(servicesOf('dev').filter((s) => s.name !== 'sample-api')).toEqual(prodServices);
    const write = async (environment: string) => {
      const file = join(out, environment, 'release.json');
      const result = await cli(['release', '--env', environment, '--registry', registry.host, '--insecure', '--out', file, '--by', 'image-tests', '--sbom-dir', join(out, 'no-sboms')], { cwd: repo.dir, env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`reading ${servicesOf(environment).length} digests`);
      return Release.parse(JSON.parse(readFileSync(file, 'utf8')));
    };
    const dev = await write('dev');
    expect(dev.images['sample-api']).toBe(`${registry.host}/cios/sample-api@${pushed[commit]}`);
    expect(Object.keys(dev.images).sort()).toEqual([...servicesOf('dev').map((s) => s.name), 'backup-tools'].sort());
    const staging = await write('staging');
    expect(Object.keys(staging.images).sort()).toEqual([...servicesOf('staging').map((s) => s.name), 'backup-tools'].sort());
    expect(staging.images['sample-api']).toBeUndefined();
  });

  it('the same commit built again from scratch gives the same digest', async () => {
    const commit = repo.commit();
    const again = await buildAndPush(`${commit.slice(0, 12)}-again`, ['--no-sbom', '--no-cache']);
    expect(again).toBe(pushed[commit]);
  });

  it('changing one source file changes only the top layer: the dependency layers are reused', async () => {
    const first = manifest(`${registry.host}/cios/sample-api@${pushed[repo.commit()]}`);
    const dist = join(repo.dir, 'apps/sample-api/dist');
    const file = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).sort()[0] as string;
    appendFileSync(join(dist, file), '\n// one more line\n');
    repo.git('commit', '-q', '-am', 'one-line change');
    const changed = await buildAndPush(repo.commit());
    const second = manifest(`${registry.host}/cios/sample-api@${changed}`);
    expect(changed).not.toBe(pushed[Object.keys(pushed)[0] as string]);
    expect(second.layers).toHaveLength(first.layers.length);
    expect(second.layers.slice(0, -1)).toEqual(first.layers.slice(0, -1));
    expect(second.layers.at(-1)).not.toEqual(first.layers.at(-1));
  });

  it('refuses a release naming each service whose image is missing, and writes nothing', async () => {
    const file = join(out, 'missing', 'release.json');
    const result = await cli(['release', '--env', 'prod', '--registry', registry.host, '--insecure', '--out', file, '--tag', 'never-pushed', '--by', 'x'], { cwd: repo.dir, env });
    expect(result.code).toBe(1);
    for (const service of prodServices) expect(result.stderr).toContain(`  - ${service.name}: `);
    expect(result.stderr).not.toContain('  - sample-api: ');
    expect(result.stderr).toContain(`no release written: ${prodServices.length} of ${prodServices.length} services have no image`);
    expect(existsSync(file)).toBe(false);
  });

  it('--base carries digests (and their SBOMs) of the previous release over for services this commit did not push, and lists them', async () => {
    const [rebuilt, ...others] = prodServices;
    if (!rebuilt) throw new Error('the catalog has no services');
    const digest = await copyWithinRegistry(registry.host, 'cios/sample-api', repo.commit(), [repositoryPath(rebuilt.image)], 'partial');
    await copyWithinRegistry(registry.host, 'cios/sample-api', repo.commit(), ['cios/backup-tools'], '1.4.0');
    const previous = (i: number) => `ghcr.io/cios/previous-${i}@sha256:${String(i % 10).repeat(64)}`;
    const baseImages = Object.fromEntries(others.map((svc, i) => [svc.name, previous(i)]));
    const writeBase = (name: string, environment: string, images: Record<string, string>, sboms?: Record<string, string>) => {
      const path = join(out, 'previous', name);
      writeFileSync(path, JSON.stringify({ environment, commit: 'a'.repeat(40), createdBy: 'earlier run', createdAt: '2026-11-01T00:00:00.000Z', images, ...(sboms ? { sboms } : {}) }));
      return path;
    };
    // The previous release kept an SBOM for its first service; this build's SBOM directory has one for every service.
    const [withSbom, withoutSbom] = others.map((s) => s.name);
    mkdirSync(join(out, 'previous', 'sboms'), { recursive: true });
    writeFileSync(join(out, 'previous', 'sboms', `${withSbom}.cdx.json`), '{"bomFormat":"CycloneDX","previous":true}');
    const builtSboms = join(out, 'sboms-now');
    mkdirSync(builtSboms, { recursive: true });
    for (const s of prodServices) writeFileSync(join(builtSboms, `${s.name}.cdx.json`), `{"bomFormat":"CycloneDX","built":"${s.name}"}`);
    const file = join(out, 'partial', 'release.json');
    const args = (base: string) => ['release', '--env', 'prod', '--registry', registry.host, '--insecure', '--out', file, '--tag', 'partial', '--by', 'x', '--sbom-dir', builtSboms, '--base', base];

    const result = await cli(args(writeBase('base-prod.json', 'prod', baseImages, { [withSbom as string]: `sboms/${withSbom}.cdx.json` })), { cwd: repo.dir, env });
    expect(result.code, result.stderr).toBe(0);
    const release = Release.parse(JSON.parse(readFileSync(file, 'utf8')));
    // SBOMs follow the image: the rebuilt one from this build, a carried one from the base, none rather than a stale one.
    const sbom = (service: string) => readFileSync(join(out, 'partial', release.sboms?.[service] as string), 'utf8');
    expect(sbom(rebuilt.name)).toContain(`"built":"${rebuilt.name}"`);
    expect(sbom(withSbom as string)).toContain('"previous":true');
    expect(release.sboms?.[withoutSbom as string]).toBeUndefined();
    expect(release.images[rebuilt.name]).toBe(`${registry.host}/${repositoryPath(rebuilt.image)}@${digest}`);
    for (const [service, ref] of Object.entries(baseImages)) expect(release.images[service]).toBe(ref);
    expect(result.stderr).toContain(`${others.length} carried over from`);
    expect(result.stderr).toContain(`${others[0]?.name}: no image at tag partial, kept ${previous(0)} from the base release`);
    rmSync(file);

    // Only digest-pinned images carry over, and only within one environment.
    const tagOnly = writeBase('base-tag.json', 'prod', { ...baseImages, [others[0]?.name as string]: 'ghcr.io/cios/previous:1.0.0' });
    const refused = await cli(args(tagOnly), { cwd: repo.dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`no release written: 1 of ${prodServices.length} services have no image`);
    expect(refused.stderr).toContain(`  - ${others[0]?.name}: `);
    const otherEnv = await cli(args(writeBase('base-dev.json', 'dev', baseImages)), { cwd: repo.dir, env });
    expect(otherEnv.code).toBe(1);
    expect(otherEnv.stderr).toContain('is a release for dev, not prod: carry images over only within one environment');
    expect(existsSync(file)).toBe(false);
  });
});
