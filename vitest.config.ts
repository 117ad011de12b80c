// Test runner settings: node environment, generous timeouts (lavapipe runs kernels on the CPU),
// and a global setup that names the adapter in the output (and fails under CI=true without one).

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two cores: two files at a time keeps lavapipe's threads from starving each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
