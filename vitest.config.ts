import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores on CI: more workers only contend for the ONNX and sharp thread pools.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
