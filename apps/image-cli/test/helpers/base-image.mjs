import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Plain JavaScript so that the image tests and bench/images.mjs share it (types: base-image.d.mts).
 *
 * The tests cannot pull node or distroless images (no Docker Hub here), so they build a stand-in base:
 * Debian bookworm from mmdebstrap (cached per day, ~45 s the first time), plus this machine's node binary at
 * /usr/local/bin/node and /nodejs/bin/node (where distroless keeps it) and npm. One image serves as both
 * BUILD_IMAGE and BASE_IMAGE; the Dockerfiles under test are the real ones, only the bases are swapped.
 */
export const BASE_IMAGE = 'localhost/cios-test/node-base:bookworm';

/** A per-day cache directory: the mmdebstrap tarball and buildah storage outlive one run. */
export function cacheDir() {
  const day = new Date().toISOString().slice(0, 10);
  const dir = join(tmpdir(), `cios-image-tests-${day}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Storage for the tests' buildah: overlay where the kernel allows it (vfs copies the rootfs per step: minutes). */
export function testStorage(root) {
  const preferred = process.env.CIOS_BUILDAH_STORAGE_DRIVER ?? (overlayWorks(root) ? 'overlay' : 'vfs');
  const storageRoot = join(root, `storage-${preferred}`);
  const runRoot = join(root, `run-${preferred}`);
  return {
    driver: preferred,
    env: { CIOS_BUILDAH_STORAGE_DRIVER: preferred, CIOS_BUILDAH_ROOT: storageRoot, CIOS_BUILDAH_RUNROOT: runRoot },
    globals: ['--storage-driver', preferred, '--root', storageRoot, '--runroot', runRoot],
  };
}

function overlayWorks(root) {
  const probe = join(root, 'overlay-probe');
  const args = ['--storage-driver', 'overlay', '--root', join(probe, 'root'), '--runroot', join(probe, 'run')];
  const from = spawnSync('buildah', [...args, 'from', 'scratch'], { encoding: 'utf8' });
  const ok = from.status === 0 && spawnSync('buildah', [...args, 'mount', from.stdout.trim()], { stdio: 'ignore' }).status === 0;
  spawnSync('buildah', [...args, 'rm', '--all'], { stdio: 'ignore' });
  return ok;
}

/** Builds BASE_IMAGE in `storage` unless it is there; `log` gets a line per slow step. */
export function ensureBaseImage(storage, root, log) {
  const buildah = (...args) => execFileSync('buildah', [...storage.globals, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  if (spawnSync('buildah', [...storage.globals, 'inspect', '--type', 'image', BASE_IMAGE], { stdio: 'ignore' }).status === 0) return;
  const tarball = join(root, 'bookworm-apt.tar');
  if (!existsSync(tarball)) {
    log('mmdebstrap --variant=apt bookworm (cached for today)');
    const partial = `${tarball}.partial-${process.pid}`;
    const result = spawnSync('mmdebstrap', ['--variant=apt', '--quiet', 'bookworm', partial], { encoding: 'utf8' });
    if (result.status !== 0) {
      rmSync(partial, { force: true });
      throw new Error(`mmdebstrap could not build the Debian base: ${result.stderr.trim().split('\n').slice(-5).join('\n')}`);
    }
    renameSync(partial, tarball);
  }
  log(`importing the test base into ${storage.driver} storage`);
  const node = realpathSync(process.execPath);
  const npm = join(dirname(dirname(node)), 'lib/node_modules/npm');
  const container = buildah('from', 'scratch');
  try {
    buildah('add', container, tarball, '/');
    buildah('copy', container, node, '/usr/local/bin/node');
    if (existsSync(npm)) buildah('copy', container, npm, '/usr/local/lib/node_modules/npm');
    buildah('run', '--isolation', 'chroot', container, '--', 'sh', '-c',
      'mkdir -p /nodejs/bin && ln -s /usr/local/bin/node /nodejs/bin/node && if [ -d /usr/local/lib/node_modules/npm ]; then ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; fi');
    buildah('config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', container);
    buildah('commit', '--timestamp', '0', '--identity-label=false', '-q', container, BASE_IMAGE);
  } finally {
    spawnSync('buildah', [...storage.globals, 'rm', container], { stdio: 'ignore' });
  }
}

/**
 * BASE_IMAGE pinned by its manifest digest in `storage`, as the tests pass it with --build-arg: cios-image build lints
 * the bases a build arg puts in place with production rules, and a tag alone is refused there as anywhere else.
 */
export function pinnedBaseImage(storage) {
  const digest = execFileSync('buildah', [...storage.globals, 'inspect', '--type', 'image', '--format', '{{.FromImageDigest}}', BASE_IMAGE], { encoding: 'utf8' }).trim();
  return `${BASE_IMAGE}@${digest}`;
}

/** Removes every image but the base: layer caches from earlier runs must not decide what this run proves. */
export function clearBuildCache(storage) {
  const listing = execFileSync('buildah', [...storage.globals, 'images', '--all', '--format', '{{.ID}} {{.Name}}:{{.Tag}}'], { encoding: 'utf8' });
  const base = execFileSync('buildah', [...storage.globals, 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', BASE_IMAGE], { encoding: 'utf8' }).trim();
  const ids = [...new Set(listing.split('\n').filter(Boolean).map((line) => line.split(' ')[0]))].filter((id) => !base.startsWith(id));
  spawnSync('buildah', [...storage.globals, 'rm', '--all'], { stdio: 'ignore' });
  if (ids.length > 0) spawnSync('buildah', [...storage.globals, 'rmi', '--force', ...ids], { stdio: 'ignore' });
}
