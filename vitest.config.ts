import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // End-to-end tests start a homeserver and a bot each; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: ['test/real/**'] },
      },
      {
        // The real-server tier: a real Synapse (test/real/support/synapse.ts) and the real bot process.
        extends: true,
        test: {
          name: 'real',
          include: ['test/real/**/*.test.ts'],
          globalSetup: ['test/real/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
