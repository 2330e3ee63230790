import { defineConfig } from 'vitest/config';

// The whole test suite in one Vitest run, for CI's per-commit JSON report (the deploy gate reads it).
// Named vitest.all.config.ts, not vitest.config.ts, so @nx/vitest infers no root project from it;
// each project keeps its own config (conditions, includes, timeouts) through `projects`.
export default defineConfig({
  test: {
    projects: ['apps/*/vitest.config.ts', 'libs/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
  },
});
