// A whole world for end-to-end tests: the test homeserver with a few people in
// it, and the real bot (real HTTP, real SQLite file) running against it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateConfig, type BotConfig, type Secrets } from '../../src/config/load.ts';
import { Writable } from 'node:stream';
import { consoleLogger, type Logger } from '../../src/log.ts';
import type { JobHandler } from '../../src/jobs/runner.ts';
import { runBot, type Running } from '../../src/run.ts';
import { startTestHomeserver, type Flavour, type TestHomeserver } from '../homeserver/index.ts';

export const SERVER_NAME = 'example.org';
export const BOT_ID = `@privacybot:${SERVER_NAME}`;
/** Not a secret: the tests' key for pseudonyms. */
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdef0123456789';

type Account = { userId: string; accessToken: string };

/** The passphrase of the bot's end-to-end encryption store in tests. */
export const TEST_CRYPTO_PASSPHRASE = 'correct horse battery staple, for tests only';

/** A log that remembers its lines, so tests can check what was (not) logged. */
export function memoryLogger(options: { debug?: boolean } = {}): Logger & { lines: string[] } {
  const lines: string[] = [];
  if (options.debug) {
    // The most verbose log, written exactly as production writes it (consoleLogger, with its redaction).
    const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(String(chunk).replace(/^\S+ /, '').trimEnd()), done()) });
    return Object.assign(consoleLogger(stream, { debug: true }), { lines });
  }
  return {
    lines,
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
}

/** The shipped bot.config.json, pointed at a test homeserver and a fresh data folder. */
export function configFor(hs: TestHomeserver, dataDir: string, overrides: (raw: Record<string, any>) => void = () => {}): BotConfig {
  const result = validateConfig(rawConfigFor(hs, dataDir, overrides));
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

/** The same, as the JSON an operator would write (for the real command line, see bot-process.ts). */
export function rawConfigFor(hs: TestHomeserver, dataDir: string, overrides: (raw: Record<string, any>) => void = () => {}): Record<string, any> {
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
  /** The privacy contact room; the admin account is the privacy contact there. */
  contactRoomId: string;
  /** Sends a text message as `sender`, returns its event ID. */
  say(sender: string, roomId: string, body: string): string;
  /** The bot's reply to an event (threaded with m.in_reply_to). */
  replyTo(eventId: string, timeoutMs?: number): Promise<{ body: string; html: string; roomId: string; content: Record<string, unknown> }>;
  /** Every reply of the bot to an event so far (threaded with m.in_reply_to). */
  repliesTo(roomId: string, eventId: string): Array<{ event_id: string; content: Record<string, unknown> }>;
  /** Sends a command and waits for the bot's threaded reply. */
  ask(sender: string, roomId: string, body: string): Promise<{ body: string; html: string; content: Record<string, unknown> }>;
  /** Creates a direct chat between `userId` and the bot (end-to-end encrypted if asked), and waits until the bot has joined. */
  openDirectChat(userId: string, options?: { encrypted?: boolean }): Promise<string>;
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
  /** The bot's clock; tests move it to reach deadlines. Defaults to the real one. */
  now?: () => number;
  /** Log at the most verbose level (the SDK's trace lines too). */
  verboseLog?: boolean;
  /** Job handlers besides the bot's own (a test's stand-in for long work). */
  jobHandlers?: readonly JobHandler[];
  /** Base of the backoff between a job's attempts (the bot's default is 30 s). */
  jobRetryBaseMs?: number;
};

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const hs = await startTestHomeserver({ flavour: options.flavour ?? 'synapse', serverName: SERVER_NAME, ...(options.version ? { version: options.version } : {}) });
  const m = hs.model;
  const privacybot = m.addUser({ localpart: 'privacybot', displayName: 'Privacy Bot', admin: true });
  const admin = m.addUser({ localpart: 'admin', displayName: 'Admin', admin: true });
  const alice = m.addUser({ localpart: 'alice', displayName: 'Alice Liddell', emails: ['alice@example.org'], ...options.alice });
  const bob = m.addUser({ localpart: 'bob', displayName: 'Bob' });
  const adminRoomId = m.createRoom(admin.userId, { name: 'Privacy admins', alias: 'privacy-admins', invite: [privacybot.userId] });
  const contactRoomId = m.createRoom(admin.userId, { name: 'Privacy contact', alias: 'privacy-contact', invite: [privacybot.userId] });
  options.seed?.(hs);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-world-'));
  const config = configFor(hs, dataDir, options.configure);
  const log = memoryLogger({ debug: options.verboseLog ?? false });
  const runOptions = {
    ...(options.now ? { now: options.now } : {}),
    ...(options.jobHandlers ? { jobHandlers: options.jobHandlers } : {}),
    ...(options.jobRetryBaseMs === undefined ? {} : { jobRetryBaseMs: options.jobRetryBaseMs }),
  };
  const secrets: Secrets = {
    botToken: privacybot.accessToken,
    adminToken: privacybot.accessToken,
    adminTokenIsSeparate: false,
    pseudonymKey: TEST_PSEUDONYM_KEY,
    smtpPassword: null,
    cryptoPassphrase: TEST_CRYPTO_PASSPHRASE,
  };
  let bot: Running | null = options.startBot === false ? null : await runBot(config, secrets, log, runOptions);

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
    contactRoomId,
    say,
    replyTo,
    repliesTo: (roomId, eventId) =>
      m.events(roomId).filter((ev) => ev.sender === privacybot.userId && (ev.content as any)['m.relates_to']?.['m.in_reply_to']?.event_id === eventId),
    ask: async (sender, roomId, body) => replyTo(say(sender, roomId, body)),
    openDirectChat: async (userId, { encrypted = false } = {}) => {
      const roomId = m.createRoom(userId, { isDirect: true, encrypted, invite: [privacybot.userId], preset: 'trusted_private_chat' });
      await botJoined(roomId);
      return roomId;
    },
    botJoined,
    restart: async () => {
      await bot?.close();
      bot = await runBot(config, secrets, log, runOptions);
    },
    close: async () => {
      await bot?.close();
      await hs.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
