// Figures for issue 5: sample-api image size, cold build, rebuild after a one-line change,
// `cios-image release` for the whole catalog against a loopback registry, and the Nx `image` target in this
// workspace: cold, a cache hit, and a restore after the engine lost the image followed by `image-push`. Needs buildah, skopeo,
// docker-registry and mmdebstrap (the base is built as in the tests and cached per day).
// Prints figures only: nothing here asserts a time.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BASE_IMAGE as BASE, cacheDir, clearBuildCache, ensureBaseImage, pinnedBaseImage, testStorage } from '../test/helpers/base-image.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'apps/image-cli/dist/cli.js');

for (const tool of ['buildah', 'skopeo', 'docker-registry', 'mmdebstrap']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`bench needs ${tool} (apt-get install -y --no-install-recommends buildah skopeo docker-registry mmdebstrap)`);
    process.exit(1);
  }
}
for (const needed of ['Dockerfile', 'package.json', 'bin', 'dist']) {
  if (!existsSync(join(ROOT, 'apps/sample-api', needed))) {
    console.error(`apps/sample-api/${needed} is missing: build the workspace first (npx nx run-many -t build)`);
    process.exit(1);
  }
}

// The same stand-in base and buildah storage as the tests (test/helpers/base-image.mjs), cached per day.
const cache = cacheDir();
const storage = testStorage(cache);
const { driver, globals } = storage;
const buildah = (...args) => execFileSync('buildah', [...globals, ...args], { encoding: 'utf8' }).trim();

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function cios(args, cwd) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...storage.env, CIOS_IMAGE_BUILDER: 'buildah' } });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`cios-image ${args.join(' ')} failed:\n${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const nxEpoch = String(Math.floor(Date.now() / 1000));
function nx(args) {
  const started = performance.now();
  const r = spawnSync('npx', ['nx', ...args, '--outputStyle=static'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...storage.env, CIOS_IMAGE_BUILDER: 'buildah', NX_DAEMON: 'false', SOURCE_DATE_EPOCH: nxEpoch },
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const task = /Run duration:\s+(\S+)/.exec(r.stdout)?.[1] ?? '?';
  return { seconds, stdout: r.stdout, task };
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const s = (x) => `${x.toFixed(2)} s`;

ensureBaseImage(storage, cache, (line) => console.error(line));
// Pinned: cios-image build lints the bases given by --build-arg with production rules.
const PINNED_BASE = pinnedBaseImage(storage);
clearBuildCache(storage);
const repo = mkdtempSync(join(tmpdir(), 'cios-image-bench-'));
const dir = mkdtempSync(join(tmpdir(), 'cios-registry-bench-'));
let registry;
try {
  for (const entry of ['Dockerfile', '.dockerignore', 'package.json', 'bin', 'dist']) {
    if (existsSync(join(ROOT, 'apps/sample-api', entry))) cpSync(join(ROOT, 'apps/sample-api', entry), join(repo, 'apps/sample-api', entry), { recursive: true });
  }
  const git = (...a) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@cios.invalid', ...a], { cwd: repo, encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'bench');
  const bases = ['--build-arg', `BUILD_IMAGE=${PINNED_BASE}`, '--build-arg', `BASE_IMAGE=${PINNED_BASE}`, '--no-sbom'];

  const cold = cios(['build', 'sample-api', '--tag', 'cold', ...bases], repo);
  const warm = cios(['build', 'sample-api', '--tag', 'warm', ...bases], repo);
  const distDir = join(repo, 'apps/sample-api/dist');
  const file = readdirSync(distDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).sort()[0];
  appendFileSync(join(distDir, file), '\n// one more line\n');
  git('commit', '-qam', 'one line');
  const rebuild = cios(['build', 'sample-api', '--tag', 'changed', ...bases], repo);

  const baseInspect = JSON.parse(buildah('inspect', '--type', 'image', BASE));

  // Registry on loopback: push, then one small image under every catalog service's repository.
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://${host}/v2/`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const push = cios(['push', 'sample-api', '--registry', host, '--insecure', '--tag', 'cold', '--json'], repo);
  const manifest = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/cios/sample-api:cold`], { encoding: 'utf8' }));
  const compressed = manifest.layers.reduce((n, l) => n + l.size, 0);
  const baseLayers = baseInspect.OCIv1.rootfs.diff_ids.length;
  const ownCompressed = manifest.layers.slice(baseLayers).reduce((n, l) => n + l.size, 0);
  const uncompressed = buildah('images', '--format', '{{.Size}}', 'localhost/cios/sample-api:cold').split('\n')[0];

  // A tiny image (one small layer) pushed under the repository of every service prod runs, at the fixture's commit tag.
  const small = join(dir, 'small');
  mkdirSync(small);
  writeFileSync(join(small, 'hello.txt'), 'cios\n');
  const c = buildah('from', 'scratch');
  buildah('copy', c, join(small, 'hello.txt'), '/hello.txt');
  buildah('commit', '--timestamp', '0', '-q', c, 'localhost/cios-bench/small:1');
  buildah('rm', c);
  const { platform } = await import(join(ROOT, 'libs/catalog/dist/index.js'));
  const { servicesIn } = await import(join(ROOT, 'libs/platform-spec/dist/index.js'));
  const prodServices = servicesIn(platform, platform.environments.find((e) => e.name === 'prod'));
  const commit = git('rev-parse', 'HEAD');
  const repoPath = (image) => image.split('/').slice(image.split('/')[0].includes('.') ? 1 : 0).join('/');
  const pushStart = performance.now();
  for (const service of prodServices) {
    buildah('push', '--quiet', '--tls-verify=false', 'localhost/cios-bench/small:1', `docker://${host}/${repoPath(service.image)}:${commit}`);
  }
  // Support images (the backup jobs' image) are released at the tag the catalog pins, not the commit.
  for (const image of new Set(prodServices.flatMap((s) => (s.backup ? [s.backup.image] : [])))) {
    buildah('push', '--quiet', '--tls-verify=false', 'localhost/cios-bench/small:1', `docker://${host}/${repoPath(image)}`);
  }
  const pushAll = (performance.now() - pushStart) / 1000;
  const releaseRuns = [1, 2, 3].map(() => cios(['release', '--env', 'prod', '--registry', host, '--insecure', '--out', join(dir, 'release.json'), '--by', 'bench'], repo).seconds).sort((a, b) => a - b);

  // The Nx targets in this workspace (they write dist/images/sample-api here), without their dependencies (built
  // before the bench), so the figures are the image task's. SOURCE_DATE_EPOCH is one of the target's inputs: a value
  // of this run's own makes the cold run a real miss, and the hit the cold run's entry (a separate NX_CACHE_DIRECTORY
  // does not: Nx 23's task database in .nx/workspace-data still reports the old entries as hits and restores nothing).
  // The layer cache is emptied first. Nx says which tasks came from its cache: checked, not assumed.
  clearBuildCache(storage);
  const nxBases = ['--exclude-task-dependencies', `--build-arg=BUILD_IMAGE=${PINNED_BASE}`, `--build-arg=BASE_IMAGE=${PINNED_BASE}`];
  const nxCold = nx(['run', '@cios/sample-api:image', ...nxBases]);
  const nxHit = nx(['run', '@cios/sample-api:image', ...nxBases]);
  if (/sample-api:image[^\n]*\[(local cache|existing outputs match the cache, left as is)\]/.test(nxCold.stdout)) {
    throw new Error(`the cold nx run of sample-api:image was a cache hit:\n${nxCold.stdout}`);
  }
  if (!/sample-api:image[^\n]*\[(local cache|existing outputs match the cache, left as is)\]/.test(nxHit.stdout)) {
    throw new Error(`the second nx run of sample-api:image was no cache hit:\n${nxHit.stdout}`);
  }
  const built = JSON.parse(readFileSync(join(ROOT, 'dist/images/sample-api/image.json'), 'utf8'));
  spawnSync('buildah', [...globals, 'rmi', built.image], { stdio: 'ignore' });
  if (spawnSync('buildah', [...globals, 'inspect', '--type', 'image', built.image], { stdio: 'ignore' }).status === 0) throw new Error(`${built.image} is still in buildah storage`);
  rmSync(join(ROOT, 'dist/images/sample-api'), { recursive: true, force: true });
  const nxRestore = nx(['run', '@cios/sample-api:image', ...nxBases]);
  if (!/sample-api:image[^\n]*\[local cache\]/.test(nxRestore.stdout) || !existsSync(join(ROOT, 'dist/images/sample-api/image.tar'))) {
    throw new Error(`the archive was not restored from the Nx cache:\n${nxRestore.stdout}`);
  }
  const nxPush = nx(['run', '@cios/sample-api:image-push', '--exclude-task-dependencies', `--registry=${host}`, '--insecure']);
  if (!nxPush.stdout.includes('from dist/images/sample-api/image.tar')) throw new Error(`image-push did not push from the archive:\n${nxPush.stdout}`);

  console.log('cios-image bench (sample-api on a stand-in Debian base with this machine\'s node; buildah storage: ' + driver + ')');
  console.log(`  image size, uncompressed (buildah images):     ${uncompressed}`);
  console.log(`  image size, pushed compressed (all layers):    ${mib(compressed)}`);
  console.log(`  sample-api's own layers above the base:        ${(ownCompressed / 1024).toFixed(1)} KiB (${manifest.layers.length - baseLayers} layers)`);
  console.log(`  cold build (empty layer cache):                ${s(cold.seconds)}`);
  console.log(`  rebuild, nothing changed (all layers cached):  ${s(warm.seconds)}`);
  console.log(`  rebuild after a one-line source change:        ${s(rebuild.seconds)}`);
  console.log(`  push sample-api to the loopback registry:      ${s(push.seconds)}`);
  console.log(`  push a small image to ${prodServices.length} service repositories and the support images:  ${s(pushAll)}`);
  console.log(`  cios-image release --env prod (${prodServices.length} services), min/median/max of 3: ${releaseRuns.map(s).join(' / ')}`);
  console.log('  Nx in this workspace (wall time of `npx nx run …`, graph computation included; Nx\'s own task time in brackets):');
  console.log(`    nx run @cios/sample-api:image, cold (layer and Nx caches empty): ${s(nxCold.seconds)} [${nxCold.task}]`);
  console.log(`    nx run @cios/sample-api:image again (Nx cache hit, nothing built): ${s(nxHit.seconds)} [${nxHit.task}]`);
  console.log(`    … after the engine lost the image: cache restores the archive:   ${s(nxRestore.seconds)} [${nxRestore.task}]`);
  console.log(`    nx run @cios/sample-api:image-push from the restored archive:    ${s(nxPush.seconds)} [${nxPush.task}]`);
} finally {
  registry?.kill('SIGTERM');
  rmSync(repo, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  for (const tag of ['cold', 'warm', 'changed']) spawnSync('buildah', [...globals, 'rmi', '-f', `localhost/cios/sample-api:${tag}`]);
  spawnSync('buildah', [...globals, 'rmi', '-f', 'localhost/cios-bench/small:1']);
}
