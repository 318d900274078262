import { globSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Unit tests start no server and no process: no test homeserver, no HTTP listener, no child
// process, no bot. They live in these folders (commands through the command harness, pure
// pieces, the configuration, the request model, the library patches' guards).
const UNIT_FOLDERS = ['test/unit', 'test/commands', 'test/config', 'test/requests', 'test/patches'];
// Files in those folders that do start one, kept beside the tests of the same thing.
const NOT_UNIT = [
  'test/patches/matrix-bot-sdk.test.ts', // syncs the patched SDK against the test homeserver
  'test/config/readme-table.test.ts', // runs the table's generator (npm run docs:config) as a process
  'test/unit/layers.test.ts', // runs the layer check (dependency-cruiser's command line) as a process
];
const unit = UNIT_FOLDERS.flatMap((folder) => globSync(`${folder}/**/*.test.ts`, { cwd: import.meta.dirname }))
  .map((file) => file.split('\\').join('/'))
  .filter((file) => !NOT_UNIT.includes(file));

export default defineConfig({
  test: {
    // End-to-end tests start a homeserver and a bot each; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        // Everything else outside test/real: the test homeserver, the bot (in-process or its real
        // command line), fake servers, the export process, Chromium, unzip, the Docker layout.
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.test.ts'], exclude: ['test/real/**', ...unit] },
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
