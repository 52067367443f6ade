import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Real Chromium, real dev servers and real git: generous per-test limits, and at most two files
    // at once on a 2-core machine so timing-sensitive checks (readiness, teardown) stay honest.
    // A simulation runs two apps when it compares with the base commit: 180 s per test.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
