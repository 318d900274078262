// The real command line (`node src/main.ts --config FILE`) as a child process, so
// that tests can kill it with SIGKILL at a chosen moment and start it again.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BotConfig } from '../../src/config/load.ts';
import { TEST_PSEUDONYM_KEY } from './world.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type BotProcess = {
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves once the output matches; rejects if it exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit once it is gone. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Writes a (validated) configuration where the command line can read it. */
export function writeConfigFile(config: BotConfig, file: string): string {
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function startBotProcess(configPath: string, env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ['--disable-warning=DEP0060', 'src/main.ts', '--config', configPath], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', DSAR_BOT_PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const listener of listeners) listener();
  });

  return {
    output: () => output,
    exited,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) finish(() => resolve());
          else if (gone) finish(() => reject(new Error(`the bot exited before printing ${pattern}:\n${output}`)));
        };
        const finish = (then: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          then();
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`waited ${timeoutMs} ms for ${pattern}:\n${output}`))), timeoutMs);
        listeners.add(check);
        check();
      }),
    kill: (signal = 'SIGKILL') => {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}
