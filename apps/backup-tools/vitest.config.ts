import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@cios/source'] },
  ssr: { resolve: { conditions: ['@cios/source'] } },
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
