// The shipped bot.config.json pointed at a test homeserver, for the demo's world and the
// tests; apart from the world, so that a benchmark can have it without loading the bot and its SDK.
import fs from 'node:fs';
import { type BotConfig, validateConfig } from '../config/load.ts';

type HomeserverAddress = { url: string; serverName: string };

/** bot.config.json as an operator writes it, before validation: the tests change any part of it. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON that a test's overrides reach into at any depth; validateConfig checks it.
export type RawConfig = Record<string, any>;

/** The shipped bot.config.json, pointed at a test homeserver and a fresh data folder. */
export function configFor(hs: HomeserverAddress, dataDir: string, overrides: (raw: RawConfig) => void = () => {}): BotConfig {
  const result = validateConfig(rawConfigFor(hs, dataDir, overrides));
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

/** The same, as the JSON an operator would write (for the real command line, see bot-process.ts). */
export function rawConfigFor(hs: HomeserverAddress, dataDir: string, overrides: (raw: RawConfig) => void = () => {}): RawConfig {
  const raw = JSON.parse(fs.readFileSync(new URL('../../bot.config.json', import.meta.url), 'utf8'));
  raw.homeserver = { url: hs.url, serverName: hs.serverName };
  // Encryption is for the tests that are about it (e2e/encryption*.test.ts): the engine costs time at every start.
  raw.bot = { userId: `@privacybot:${hs.serverName}`, encryption: 'off' };
  raw.adminRoom = `#privacy-admins:${hs.serverName}`;
  raw.admins = [`@admin:${hs.serverName}`];
  raw.privacyContact = { ...raw.privacyContact, room: `#privacy-contact:${hs.serverName}` };
  raw.dataDir = dataDir;
  // The suite talks much faster than people do; test/e2e/rate-limits.test.ts checks the real limits.
  raw.rateLimits = { perUserPerMinute: 1000, globalPerMinute: 100_000 };
  overrides(raw);
  return raw;
}
