import { spawnSync } from 'node:child_process';

/** The Debian packages the image tests drive: .ci/run installs them. */
export const IMAGE_TOOLS = ['buildah', 'docker-registry', 'skopeo', 'mmdebstrap'] as const;

export function missingTools(): string[] {
  return IMAGE_TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
}

/**
 * Image tests run only with the real tools. Missing tools fail the suite with a sentence naming them, unless
 * CIOS_SKIP_IMAGE_TESTS=1 says this machine is known not to have them (then vitest shows the tests as skipped).
 */
export function imageToolsGate(): { run: boolean; reason?: string } {
  const missing = missingTools();
  if (missing.length === 0) return { run: true };
  const reason = `the image tests need ${missing.join(', ')} (apt-get install -y --no-install-recommends ${IMAGE_TOOLS.join(' ')})`;
  if (process.env['CIOS_SKIP_IMAGE_TESTS'] === '1') return { run: false, reason };
  throw new Error(`${reason}; set CIOS_SKIP_IMAGE_TESTS=1 to skip them on a machine without these tools`);
}
