// The layer check that `npm run lint` runs (.dependency-cruiser.cjs) fires: it is run, as the lint
// runs it, on a small made-up src/ with one import of each forbidden kind, and on one without.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder holding the given files (path → source), as the root of a project. */
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  made.push(dir);
  for (const [name, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), source);
  }
  return dir;
}

/**
 * Runs the check on the project's src/: its exit status as `npm run lint` runs it (the `err`
 * report, which exits non-zero on a violation), and each violation as "rule: from → to".
 */
function check(dir: string): { status: number | null; violations: string[] } {
  const run = (output: string) => spawnSync(process.execPath, [CLI, 'src', '--config', CONFIG, '--output-type', output], { cwd: dir, encoding: 'utf8' });
  const result = JSON.parse(run('json').stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return { status: run('err').status, violations: result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort() };
}

describe('the layers of src/', () => {
  it('refuses an upward import, a circle, an unlayered folder, and the test homeserver crossing into the bot or back', () => {
    const dir = project({
      'src/log.ts': 'export const log = 1;\n',
      'src/bot/bot.ts': "import { log } from '../log.ts';\nexport const bot = log;\n",
      // A store helper that reaches up into the bot.
      'src/store/inbox.ts': "import { bot } from '../bot/bot.ts';\nexport const inbox = bot;\n",
      // Two files of one layer that import each other, for types only (reported once, where the circle is found).
      'src/requests/a.ts': "import type { B } from './b.ts';\nexport type A = { b?: B };\n",
      'src/requests/b.ts': "import type { A } from './a.ts';\nexport type B = { a?: A };\n",
      'src/newfolder/thing.ts': "import { log } from '../log.ts';\nexport const thing = log;\n",
      'src/test-homeserver/server.ts': "import { log } from '../log.ts';\nexport const server = log;\n",
      'src/commands/help.ts': "import { server } from '../test-homeserver/server.ts';\nexport const help = server;\n",
    });
    const { status, violations } = check(dir);
    expect(violations).toEqual(
      [
        'adapters-imports-upward: src/store/inbox.ts → src/bot/bot.ts',
        'no-circular: src/requests/a.ts → src/requests/b.ts',
        'no-layer: src/newfolder/thing.ts → src/log.ts',
        'test-homeserver-stands-alone: src/test-homeserver/server.ts → src/log.ts',
        'bot-without-test-homeserver: src/commands/help.ts → src/test-homeserver/server.ts',
      ].sort(),
    );
    expect(status).not.toBe(0);
  });

  it('keeps the zip library out of the bot process: a path from main.ts to archiver is refused, one from the export process is not', () => {
    const dir = project({
      'node_modules/archiver/package.json': '{ "name": "archiver", "main": "index.js" }\n',
      'node_modules/archiver/index.js': 'exports.ZipArchive = class {};\n',
      'src/export/package/zip-writer.ts': "import { ZipArchive } from 'archiver';\nexport const zip = ZipArchive;\n",
      'src/export/process/export-worker.ts': "import { zip } from '../package/zip-writer.ts';\nexport const worker = zip;\n",
      'src/export/lifecycle/export-job.ts': "import { zip } from '../package/zip-writer.ts';\nexport const job = zip;\n",
      'src/bot/composition.ts': "import { job } from '../export/lifecycle/export-job.ts';\nexport const bot = job;\n",
      'src/main.ts': "import { bot } from './bot/composition.ts';\nexport const main = bot;\n",
    });
    const { status, violations } = check(dir);
    expect(violations).toEqual(['bot-process-without-the-zip-library: src/main.ts → node_modules/archiver/index.js']);
    expect(status).not.toBe(0);
  });

  it('lets imports run down the layers, and the demo run the test homeserver', () => {
    const dir = project({
      'src/log.ts': 'export const log = 1;\n',
      'src/store/inbox.ts': "import { log } from '../log.ts';\nexport const inbox = log;\n",
      'src/requests/desk.ts': "import { inbox } from '../store/inbox.ts';\nexport const desk = inbox;\n",
      'src/bot/bot.ts': "import { desk } from '../requests/desk.ts';\nexport const bot = desk;\n",
      'src/test-homeserver/server.ts': 'export const server = 1;\n',
      'src/demo/demo.ts': "import { bot } from '../bot/bot.ts';\nimport { server } from '../test-homeserver/server.ts';\nexport const demo = [bot, server];\n",
    });
    expect(check(dir)).toEqual({ status: 0, violations: [] });
  });
});
