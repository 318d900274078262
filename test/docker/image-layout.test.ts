// The Docker image without Docker (it cannot be built on these machines): the files its last
// stage copies, laid out in a temporary folder as the Dockerfile says (read from it, so that
// the two stay in step), and the bot run from there as its ENTRYPOINT and ENV run it: the demo,
// and the real start against a test homeserver, answering !help. The production dependencies
// are the build stage's `npm ci --omit=dev`, cached per package-lock.json (production-install.ts).
// The build stage also downloads the native crypto library, from GitHub, which is not reachable
// here: the bot then encrypts with the WebAssembly engine, as it does wherever that library is missing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { killAllBots, startBot } from '../support/bot-process.ts';
import { type Copy, type Stage, stages } from '../support/dockerfile.ts';
import { productionInstall } from '../support/production-install.ts';
import { rawConfigFor, TEST_CRYPTO_PASSPHRASE, TEST_PSEUDONYM_KEY } from '../support/world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Where this test takes each thing the image's last stage copies: the build stage's production
 * install, or the repository. A COPY of anything else, or an entry here the Dockerfile no
 * longer copies, fails the test: then the test and the Dockerfile must be brought in step.
 */
const SOURCES: Record<string, () => string> = {
  'build:/app/node_modules': () => path.join(productionInstall().dir, 'node_modules'),
  'package.json': () => path.join(ROOT, 'package.json'),
  src: () => path.join(ROOT, 'src'),
  'bot.config.json': () => path.join(ROOT, 'bot.config.json'),
};

const keyOf = (copy: Copy, source: string): string => (copy.from === null ? source : `${copy.from}:${source}`);

/** COPY's rules: a folder's contents go into the destination; a file into it when it ends in "/". */
function layOut(copy: Copy, app: string): void {
  for (const source of copy.sources) {
    const from = SOURCES[keyOf(copy, source)]!();
    const destination = path.join(app, copy.destination);
    const target = fs.statSync(from).isDirectory() || !copy.destination.endsWith('/') ? destination : path.join(destination, path.basename(source));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // The 90 MB of node_modules: hard links where the cache is on the same file system (nothing
    // writes there at run time), else a copy; `cp` is several times faster than fs.cpSync here.
    const linked = from.startsWith(ROOT) ? null : spawnSync('cp', ['-al', from, target]);
    if (linked?.status === 0) continue;
    fs.rmSync(target, { recursive: true, force: true });
    const copied = spawnSync('cp', ['-a', from, target], { encoding: 'utf8' });
    if (copied.status !== 0) throw new Error(`cp -a ${from} ${target}: ${copied.stderr}`);
  }
}

let image: Stage;
let app: string;
let layoutMs: number;
let installedNow: boolean;

beforeAll(() => {
  const all = stages(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  image = all.at(-1)!;
  const started = Date.now();
  installedNow = productionInstall().installedNow;
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-image-'));
  // A COPY this test does not know is reported by the first test; nothing is laid out then.
  const known = image.copies.every((copy) => copy.sources.every((source) => SOURCES[keyOf(copy, source)] !== undefined));
  if (known) for (const copy of image.copies) layOut(copy, app);
  layoutMs = Date.now() - started;
}, 120_000);

afterAll(async () => {
  await killAllBots();
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

/** The image's environment (its ENV lines), PATH, and `env` on top. */
const imageEnv = (env: Record<string, string>) => ({ PATH: process.env['PATH'] ?? '', ...image.env, ...env });

/** The ENTRYPOINT's arguments after `node` (run with this test's Node, which is the image's major version). */
const entrypointArgs = (): string[] => {
  const [node, ...args] = image.entrypoint ?? [];
  expect(node).toBe('node');
  return args;
};

describe('the Docker image, laid out as the Dockerfile copies it', () => {
  it('copies exactly what this test lays out: the production install of the build stage, package.json, src/, bot.config.json', () => {
    const copied = image.copies.flatMap((copy) => copy.sources.map((source) => keyOf(copy, source)));
    expect(copied.sort()).toEqual(Object.keys(SOURCES).sort());
    // The build stage makes node_modules with the production dependencies only, from the lock file.
    const build = stages(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).find((stage) => stage.name === 'build')!;
    expect(build.workdir).toBe('/app');
    expect(build.copies.flatMap((copy) => copy.sources).sort()).toEqual(['package-lock.json', 'package.json']);
    expect(build.runs.some((run) => /^npm ci --omit=dev\b/.test(run))).toBe(true);
    expect(image.workdir).toBe('/app');
    expect(fs.readdirSync(app).sort()).toEqual(['bot.config.json', 'node_modules', 'package.json', 'src']);
    // No dev dependency made it in.
    expect(fs.existsSync(path.join(app, 'node_modules', 'vitest'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false);
    console.info(`image layout ready in ${layoutMs} ms (${installedNow ? 'production install made now' : 'production install from the cache'})`);
  });

  // The two runs are independent processes: side by side, the test takes as long as the longer one.
  it.concurrent('`--demo` plays the demo and exits 0 with the transcript', async () => {
    const child = spawn(process.execPath, [...entrypointArgs(), '--demo'], { cwd: app, env: imageEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^alice: +🔒 !help$/m);
    expect(out).toMatch(/Your export R-[0-9A-Z]{4} is ready/);
    expect(out).toMatch(/Inside:\n +data\/account\.json, .*index\.html, manifest\.json/);
    expect(out).toContain('That was the real bot over real HTTP against the bundled test homeserver.');
  }, 60_000);

  it.concurrent('the real start, with a token: the config the image names in DSAR_BOT_CONFIG, answers !help, stops cleanly', async () => {
    const hs = await startTestHomeserver({ flavour: 'synapse', serverName: 'example.org' });
    const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    const alice = hs.model.addUser({ localpart: 'alice' });
    hs.model.createRoom(admin.userId, { alias: 'privacy-admins', invite: [bot.userId] });
    hs.model.createRoom(admin.userId, { alias: 'privacy-contact', invite: [bot.userId] });
    // The operator's config, mounted where the image's DSAR_BOT_CONFIG points (here: a file in the test's folder).
    const configPath = path.join(app, '..', `${path.basename(app)}.config.json`);
    const raw = rawConfigFor(hs, path.join(`${app}-data`), (c) => (c.bot.encryption = 'auto'));
    fs.writeFileSync(configPath, JSON.stringify(raw));
    expect(image.env['DSAR_BOT_CONFIG']).toBeDefined();
    const env = imageEnv({
      DSAR_BOT_CONFIG: configPath,
      DSAR_BOT_ACCESS_TOKEN: bot.accessToken,
      DSAR_BOT_CRYPTO_PASSPHRASE: TEST_CRYPTO_PASSPHRASE,
      DSAR_BOT_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
    });
    try {
      const running = await startBot({ configPath, env, command: { cwd: app, args: entrypointArgs() } });
      expect(running.stderr()).toMatch(/end-to-end encryption is on/);
      const dm = hs.model.createRoom(alice.userId, { isDirect: true, invite: [bot.userId] });
      await hs.model.waitForEvent(
        (ev) => ev.room_id === dm && ev.type === 'm.room.member' && ev.state_key === bot.userId && ev.content['membership'] === 'join',
        20_000,
      );
      const help = hs.model.sendMessage(dm, alice.userId, '!help');
      const reply = await hs.model.waitForEvent(
        (ev) => ev.sender === bot.userId && (ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id === help,
        20_000,
      );
      expect(String(reply.content['body'])).toContain('!whatdoyouhave');
      expect(await running.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      await hs.close();
      fs.rmSync(configPath, { force: true });
      fs.rmSync(`${app}-data`, { recursive: true, force: true });
    }
  }, 60_000);
});
