// The real bot as a separate process: `node src/launch.ts --config <file>`, exactly as an
// operator runs it (`npm start`, the Docker image: src/main.ts with the bot's V8 settings),
// against a test homeserver in the test's own process. For tests that
// must kill the bot for real (SIGKILL at any moment) and start it again on the same data.
//
//   const configPath = writeBotConfig(world.hs, dataDir);
//   const bot = await startBot({ configPath, env: { DSAR_BOT_ACCESS_TOKEN: token } });
//   ... hs.faults.add({ ..., kind: 'commit-then-drop', onCommitted: () => bot.kill('SIGKILL') });
//   const again = await startBot({ configPath, env });   // same dataDir: same database
//   await again.kill('SIGTERM');                          // a clean stop finishes what it started
//
// Every process started here is killed by `killAllBots()` (call it in afterEach).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { waitUntil } from './wait.ts';
import { rawConfigFor, TEST_PSEUDONYM_KEY } from './world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The log line that says the bot is up and syncing. */
export const STARTED = /privacy bot started and syncing/;

export type BotExit = { code: number | null; signal: NodeJS.Signals | null };

export type BotProcess = {
  pid: number;
  /** Everything the bot has written to stderr (its log) so far. */
  stderr(): string;
  /** Resolves once the log has a line matching `pattern`; rejects after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal (default SIGTERM) and resolves when the process has ended. */
  kill(signal?: NodeJS.Signals): Promise<BotExit>;
  /** Resolves when the process has ended, however. */
  exited: Promise<BotExit>;
};

const running = new Set<BotProcess>();

/**
 * Writes a config for the bot against `hs` (the shipped bot.config.json, as in world.ts)
 * into `dir`, with its database in `dir/data`; returns the file's path.
 */
export function writeBotConfig(hs: TestHomeserver, dir: string, overrides?: (raw: Record<string, any>) => void): string {
  const file = path.join(dir, 'bot.config.json');
  fs.writeFileSync(file, JSON.stringify(rawConfigFor(hs, path.join(dir, 'data'), overrides)));
  return file;
}

export type SpawnOptions = {
  configPath: string;
  env: Record<string, string>;
  /**
   * SIGKILL the bot the moment its log has a line matching this: the kill comes before the
   * test homeserver (in this process) handles any request the bot sends after that line.
   */
  killOnLog?: RegExp;
  /** The signal `killOnLog` sends (default SIGKILL). */
  killSignal?: NodeJS.Signals;
  /**
   * Run it another way than from the repository with --config: from `cwd`, with `args` after
   * `node` (the Docker image's ENTRYPOINT; its config then comes from DSAR_BOT_CONFIG in `env`).
   */
  command?: { cwd: string; args: string[] };
};

/** Starts `node src/launch.ts --config <configPath>` (or `command`) with only PATH and `env` in its environment. */
export function spawnBot(options: SpawnOptions): BotProcess {
  const { cwd, args } = options.command ?? { cwd: ROOT, args: ['--disable-warning=DEP0060', 'src/launch.ts', '--config', options.configPath] };
  const child = spawn(process.execPath, args, {
    cwd,
    // The pseudonym key is required at start; tests that check its absence pass their own.
    env: { PATH: process.env['PATH'] ?? '', DSAR_BOT_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8');
  let signalled = false;
  child.stderr.on('data', (chunk: string) => {
    log += chunk;
    if (signalled || !options.killOnLog?.test(log)) return;
    signalled = true;
    child.kill(options.killSignal ?? 'SIGKILL');
  });
  const exited = new Promise<BotExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const bot: BotProcess = {
    pid: child.pid ?? -1,
    stderr: () => log,
    waitForLog: (pattern, timeoutMs = 20_000) => waitUntil(() => pattern.test(log), `the bot's log to match ${pattern}`, timeoutMs),
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
  running.add(bot);
  void exited.then(() => running.delete(bot));
  return bot;
}

/** Spawns the bot and waits until it is syncing; rejects with its log if it ends first. */
export async function startBot(options: SpawnOptions): Promise<BotProcess> {
  const bot = spawnBot(options);
  const ended = bot.exited.then((exit) => {
    throw new Error(`the bot ended before it started (${JSON.stringify(exit)}):\n${bot.stderr()}`);
  });
  await Promise.race([bot.waitForLog(STARTED), ended]);
  ended.catch(() => {}); // it may end later, as tests make it
  return bot;
}

/** Kills every bot process still running (SIGKILL) and waits for them to end. */
export async function killAllBots(): Promise<void> {
  await Promise.all([...running].map((bot) => bot.kill('SIGKILL')));
}
