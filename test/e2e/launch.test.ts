// The entry point as `npm start` and the Docker image run it (src/launch.ts): the bot runs in
// one process, with the V8 settings that keep its memory small (src/startup/heap-flags.ts) on
// its command line, as the kernel shows it, and Node's compile cache in a folder of its own
// (src/startup/compile-cache.ts); a setting the operator gives wins.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPILE_CACHE_ENV, privateCompileCacheDir } from '../../src/startup/compile-cache.ts';
import { BOT_HEAP_FLAGS, heapFlagsToAdd } from '../../src/startup/heap-flags.ts';
import { killAllBots, startBot, writeBotConfig } from '../support/bot-process.ts';
import { procStrings } from '../support/processes.ts';
import { startWorld, type World } from '../support/world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const flag = (name: string) => BOT_HEAP_FLAGS.find((f) => f.startsWith(`--${name}=`))!;

let world: World | null = null;
const scratch: string[] = [];
afterEach(async () => {
  await killAllBots();
  await world?.close();
  world = null;
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function botWith(env: Record<string, string> = {}) {
  world = await startWorld({ startBot: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-launch-'));
  scratch.push(dir);
  const bot = await startBot({ configPath: writeBotConfig(world.hs, dir), env: { DSAR_BOT_ACCESS_TOKEN: world.privacybot.accessToken, ...env } });
  return { w: world, bot };
}

describe('src/launch.ts, the entry point', () => {
  it('runs the bot in its own process with the heap settings on its command line, and the bot answers', async () => {
    const { w, bot } = await botWith();
    const cmdline = procStrings(bot.pid, 'cmdline');
    for (const flag of BOT_HEAP_FLAGS) expect(cmdline).toContain(flag);
    expect(cmdline.some((arg) => arg.endsWith(path.join('src', 'main.ts')))).toBe(true);
    // Replaced in place (execve), not started as a child beside a waiting launcher.
    expect(childrenOf(bot.pid)).toEqual([]);
    // Its compiled code is cached in an owner-only folder, written once it has started.
    const cache = procStrings(bot.pid, 'environ')
      .find((e) => e.startsWith(`${COMPILE_CACHE_ENV}=`))
      ?.slice(COMPILE_CACHE_ENV.length + 1);
    // The bot's environment has no TMPDIR (bot-process.ts passes PATH and the test's own): /tmp.
    expect(cache).toBe(path.join('/tmp', `matrix-dsar-bot-${process.getuid!()}`, 'compile-cache'));
    expect(fs.statSync(cache!).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(cache!, { recursive: true }).length).toBeGreaterThan(0);
    const dm = await w.openDirectChat(w.alice.userId);
    expect((await w.ask(w.alice.userId, dm, '!help')).body).toContain('!export');
    // A stop still reaches the bot itself: a clean exit.
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('keeps a setting the operator gave in NODE_OPTIONS, and adds the others', async () => {
    const { bot } = await botWith({ NODE_OPTIONS: '--max-old-space-size=300' });
    const cmdline = procStrings(bot.pid, 'cmdline');
    expect(cmdline).not.toContain(flag('max-old-space-size'));
    expect(cmdline).toContain(flag('max-semi-space-size'));
    expect(procStrings(bot.pid, 'environ')).toContain('NODE_OPTIONS=--max-old-space-size=300');
  });

  it('is what `npm start` and the Docker image run', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start']).toMatch(/ src\/launch\.ts$/);
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(entrypoint!)).toEqual(['node', '--disable-warning=DEP0060', 'src/launch.ts']);
  });
});

describe('privateCompileCacheDir', () => {
  it('makes an owner-only folder, and refuses one that others can write to or that is a link', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-cache-'));
    scratch.push(base);
    const dir = privateCompileCacheDir(base)!;
    expect(dir).toBe(path.join(base, `matrix-dsar-bot-${process.getuid!()}`, 'compile-cache'));
    expect(fs.statSync(path.dirname(dir)).mode & 0o777).toBe(0o700);
    expect(privateCompileCacheDir(base)).toBe(dir);
    fs.chmodSync(path.dirname(dir), 0o777);
    expect(privateCompileCacheDir(base)).toBeNull();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-cache-'));
    scratch.push(elsewhere);
    const linked = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-cache-'));
    scratch.push(linked);
    fs.symlinkSync(elsewhere, path.join(linked, `matrix-dsar-bot-${process.getuid!()}`));
    expect(privateCompileCacheDir(linked)).toBeNull();
  });
});

describe('heapFlagsToAdd', () => {
  it('adds every setting the process lacks, and none it has, in either spelling or from NODE_OPTIONS', () => {
    expect(heapFlagsToAdd(['--disable-warning=DEP0060'], undefined)).toEqual([...BOT_HEAP_FLAGS]);
    expect(heapFlagsToAdd(['--disable-warning=DEP0060', ...BOT_HEAP_FLAGS], undefined)).toEqual([]);
    expect(heapFlagsToAdd(['--max_old_space_size=512'], undefined)).toEqual([flag('max-semi-space-size')]);
    expect(heapFlagsToAdd([], '--max-semi-space-size=8  --max-old-space-size=512')).toEqual([]);
    expect(heapFlagsToAdd([], '--inspect')).toEqual([...BOT_HEAP_FLAGS]);
  });
});
