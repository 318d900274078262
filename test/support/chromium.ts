// Debian's Chromium, headless, driven by playwright-core, for tests that open what the bot
// wrote (an export's index.html) the way a user would. Where Chromium is not installed the
// tests that need it skip, and say so loudly.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const chromiumMissing = !existsSync(CHROMIUM_PATH);
if (chromiumMissing) {
  console.warn(`\n*** ${CHROMIUM_PATH} is missing: the browser tests are SKIPPED. Install it with: apt-get install -y chromium ***\n`);
}

export type HeadlessChromium = { context: BrowserContext; close(): Promise<void> };

/** A fresh profile every time (playwright passes it as --user-data-dir). */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'dsar-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One browser for the tests of a describe block (or file): started before them, closed after. */
export function useChromium(): () => HeadlessChromium {
  let running: HeadlessChromium | null = null;
  beforeAll(async () => {
    if (!chromiumMissing) running = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await running?.close();
  });
  return () => {
    if (running === null) throw new Error('Chromium is not running');
    return running;
  };
}
