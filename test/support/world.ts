// A whole world for end-to-end tests: the test homeserver with a few people in
// it, and the real bot (real HTTP, real SQLite file) running against it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BotConfig } from '../../src/config/load.ts';
import type { Logger } from '../../src/log.ts';
import { runBot, type Running } from '../../src/run.ts';
import { startTestHomeserver, type Flavour, type TestHomeserver } from '../homeserver/index.ts';
import { configFor } from './config.ts';

export { configFor };

export const SERVER_NAME = 'example.org';
export const BOT_ID = `@privacybot:${SERVER_NAME}`;

type Account = { userId: string; accessToken: string };

/** A log that remembers its lines, so tests can check what was (not) logged. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

export type World = {
  hs: TestHomeserver;
  bot: Running;
  config: BotConfig;
  log: ReturnType<typeof memoryLogger>;
  privacybot: Account;
  admin: Account;
  alice: Account;
  bob: Account;
  adminRoomId: string;
  /** Sends a text message as `sender`, returns its event ID. */
  say(sender: string, roomId: string, body: string): string;
  /** The bot's reply to an event (threaded with m.in_reply_to). */
  replyTo(eventId: string, timeoutMs?: number): Promise<{ body: string; html: string; roomId: string; content: Record<string, unknown> }>;
  /** Sends a command and waits for the bot's threaded reply. */
  ask(sender: string, roomId: string, body: string): Promise<{ body: string; html: string; content: Record<string, unknown> }>;
  /** Creates a direct chat between `userId` and the bot, and waits until the bot has joined. */
  openDirectChat(userId: string): Promise<string>;
  /** Waits until the bot is joined to a room. */
  botJoined(roomId: string): Promise<void>;
  /** Stops the bot and starts it again on the same database. */
  restart(): Promise<void>;
  close(): Promise<void>;
};

export type WorldOptions = {
  flavour?: Flavour;
  version?: string;
  configure?: (raw: Record<string, any>) => void;
  /** Extra account details for Alice (devices with IPs, creation time...). */
  alice?: Record<string, unknown>;
  /** Runs after the standard people exist and before the bot starts. */
  seed?: (hs: TestHomeserver) => void;
  startBot?: boolean;
};

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const hs = await startTestHomeserver({ flavour: options.flavour ?? 'synapse', serverName: SERVER_NAME, ...(options.version ? { version: options.version } : {}) });
  const m = hs.model;
  const privacybot = m.addUser({ localpart: 'privacybot', displayName: 'Privacy Bot', admin: true });
  const admin = m.addUser({ localpart: 'admin', displayName: 'Admin', admin: true });
  const alice = m.addUser({ localpart: 'alice', displayName: 'Alice Liddell', emails: ['alice@example.org'], ...options.alice });
  const bob = m.addUser({ localpart: 'bob', displayName: 'Bob' });
  const adminRoomId = m.createRoom(admin.userId, { name: 'Privacy admins', alias: 'privacy-admins', invite: [privacybot.userId] });
  m.createRoom(admin.userId, { name: 'Privacy contact', alias: 'privacy-contact', invite: [privacybot.userId] });
  options.seed?.(hs);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-world-'));
  const config = configFor(hs, dataDir, options.configure);
  const log = memoryLogger();
  const secrets = { botToken: privacybot.accessToken, adminToken: privacybot.accessToken, adminTokenIsSeparate: false };
  let bot: Running | null = options.startBot === false ? null : await runBot(config, secrets, log);

  const say = (sender: string, roomId: string, body: string) => m.sendMessage(roomId, sender, body);
  const replyTo = async (eventId: string, timeoutMs = 10_000) => {
    const reply = await m.waitForEvent(
      (ev) => ev.sender === privacybot.userId && (ev.content as any)?.['m.relates_to']?.['m.in_reply_to']?.event_id === eventId,
      timeoutMs,
    );
    const content = reply.content as Record<string, unknown>;
    return { body: String(content['body']), html: String(content['formatted_body']), roomId: reply.room_id, content };
  };
  const botJoined = async (roomId: string) => {
    await m.waitForEvent((ev) => ev.room_id === roomId && ev.type === 'm.room.member' && ev.state_key === privacybot.userId && (ev.content as any)?.membership === 'join');
  };

  const world: World = {
    hs,
    get bot() {
      if (bot === null) throw new Error('the bot was not started');
      return bot;
    },
    config,
    log,
    privacybot,
    admin,
    alice,
    bob,
    adminRoomId,
    say,
    replyTo,
    ask: async (sender, roomId, body) => replyTo(say(sender, roomId, body)),
    openDirectChat: async (userId) => {
      const roomId = m.createRoom(userId, { isDirect: true, invite: [privacybot.userId], preset: 'trusted_private_chat' });
      await botJoined(roomId);
      return roomId;
    },
    botJoined,
    restart: async () => {
      await bot?.close();
      bot = await runBot(config, secrets, log);
    },
    close: async () => {
      await bot?.close();
      await hs.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
