// The shipped bot.config.json pointed at a test homeserver, apart from the world (so that a
// benchmark can have it without loading the bot and its SDK).
import fs from 'node:fs';
import { validateConfig, type BotConfig } from '../../src/config/load.ts';

/** The shipped bot.config.json, pointed at a test homeserver and a fresh data folder. */
export function configFor(hs: { url: string; serverName: string }, dataDir: string, overrides: (raw: Record<string, any>) => void = () => {}): BotConfig {
  const raw = JSON.parse(fs.readFileSync(new URL('../../bot.config.json', import.meta.url), 'utf8'));
  raw.homeserver = { url: hs.url, serverName: hs.serverName };
  raw.bot = { userId: `@privacybot:${hs.serverName}`, encryption: 'auto' };
  raw.adminRoom = `#privacy-admins:${hs.serverName}`;
  raw.admins = [`@admin:${hs.serverName}`];
  raw.privacyContact = { ...raw.privacyContact, room: `#privacy-contact:${hs.serverName}` };
  raw.dataDir = dataDir;
  overrides(raw);
  const result = validateConfig(raw);
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

