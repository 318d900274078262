// Shared helpers for the config tests: real files in a fresh temp folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { type ConfigProblem, formatProblems, SAMPLE_CONFIG_PATH } from '../../src/config/load.ts';

export const BOT_TOKEN = 'syt_fake-bot-token_TestSecretBot_0a1b2c';
export const ADMIN_TOKEN = 'syt_YWRtaW4_TestSecretAdmin_3d4e5f';
export const ENV = { DSAR_BOT_ACCESS_TOKEN: BOT_TOKEN } as const;

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-config-test-'));
}

/** The shipped sample as a fresh object. */
export function sample(): Record<string, any> {
  return JSON.parse(fs.readFileSync(SAMPLE_CONFIG_PATH, 'utf8'));
}

/** Writes the sample, changed by `change`, to a temp folder; returns the file's path. */
export function writeConfig(change: (raw: Record<string, any>) => void = () => {}, dir = tempDir()): string {
  const raw = sample();
  change(raw);
  const file = path.join(dir, 'bot.config.json');
  fs.writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}

export function writeText(text: string, dir = tempDir()): string {
  const file = path.join(dir, 'bot.config.json');
  fs.writeFileSync(file, text);
  return file;
}

/** The one problem at `path` (fails when there is none or several). */
export function problemAt(problems: ConfigProblem[], path: string): ConfigProblem {
  const found = problems.filter((p) => p.path === path);
  expect(found, `problems at ${path} among ${JSON.stringify(problems.map((p) => p.path))}`).toHaveLength(1);
  return found[0]!;
}

/** Everything an operator would see: the formatted text and every field. */
export function everything(problems: ConfigProblem[], configPath = 'bot.config.json'): string {
  return `${formatProblems(problems, configPath)}\n${JSON.stringify(problems)}`;
}

/** No secret, no zod vocabulary and no stack trace in what the operator sees. */
export function expectSafeAndReadable(problems: ConfigProblem[], extraSecrets: string[] = []): void {
  const text = everything(problems);
  for (const secret of [BOT_TOKEN, ADMIN_TOKEN, ...extraSecrets]) expect(text).not.toContain(secret);
  for (const jargon of ['invalid_type', 'unrecognized_keys', 'invalid_value', 'too_small', 'Invalid input', 'received', 'Zod', '    at ']) {
    expect(text).not.toContain(jargon);
  }
  for (const p of problems) {
    expect(p.problem.length, `problem text at ${p.path}`).toBeGreaterThan(10);
    expect(p.expected.length, `expected text at ${p.path}`).toBeGreaterThan(5);
  }
}
