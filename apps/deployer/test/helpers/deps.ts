import type { CliDeps } from '../../src/cli-run.js';

/**
 * Tests apply pre-made stacks (--stacks-dir); this double stands in for @cios/monitoring's files
 * so the artifact still carries a monitoring config that changes with the platform.
 */
export const testDeps: CliDeps = {
  renderer: {
    stacks: () => Promise.reject(new Error('integration tests pass --stacks-dir')),
    monitoring: ({ platform, env }) =>
      Promise.resolve({ [`rules/${env.name}.json`]: `${JSON.stringify({ env: env.name, services: platform.services.map((s) => s.name) })}\n` }),
  },
};
