import { defineConfig } from 'vitest/config';

// Tests share one database server: files run one after another so timings and locks stay predictable.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
});
