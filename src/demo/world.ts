// A whole world for the demo and the end-to-end tests: the test homeserver with a few
// people in it, and the real bot (real HTTP, real SQLite file) running against it. It ships
// with the bot for the demo (`npm start` without a homeserver); tests use it through
// test/support/world.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { BotConfig, Secrets } from '../config/load.ts';
import type { JobHandler } from '../jobs/runner.ts';
import { consoleLogger, type Logger } from '../log.ts';
import { type Running, runBot } from '../run.ts';
import { type Flavour, startTestHomeserver, type TestHomeserver } from '../test-homeserver/index.ts';
import { configFor, type RawConfig, rawConfigFor } from './config.ts';
import { waitUntil } from './wait.ts';

export { configFor, rawConfigFor };

export const SERVER_NAME = 'example.org';
export const BOT_ID = `@privacybot:${SERVER_NAME}`;
/** Not a secret: the tests' key for pseudonyms. */
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdef0123456789';

type Account = { userId: string; accessToken: string };

/** The passphrase of the bot's end-to-end encryption store in tests. */
export const TEST_CRYPTO_PASSPHRASE = 'correct horse battery staple, for tests only';

/** The secrets of a bot in tests: its token is also the admin token. */
export function testSecrets(botToken: string): Secrets {
  return {
    botToken,
    adminToken: botToken,
    adminTokenIsSeparate: false,
    pseudonymKey: TEST_PSEUDONYM_KEY,
    smtpPassword: null,
    cryptoPassphrase: TEST_CRYPTO_PASSPHRASE,
  };
}

/** A log that remembers its lines, so tests can check what was (not) logged. */
export function memoryLogger(options: { debug?: boolean } = {}): Logger & { lines: string[] } {
  const lines: string[] = [];
  if (options.debug) {
    // The most verbose log, written exactly as production writes it (consoleLogger, with its redaction).
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        lines.push(String(chunk).replace(/^\S+ /, '').trimEnd());
        done();
      },
    });
    return Object.assign(consoleLogger(stream, { debug: true }), { lines });
  }
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
  /** The privacy contact room; the admin account is the privacy contact there. */
  contactRoomId: string;
  /** Sends a text message as `sender`, returns its event ID. */
  say(sender: string, roomId: string, body: string): string;
  /** The bot's reply to an event (threaded with m.in_reply_to). */
  replyTo(eventId: string, timeoutMs?: number): Promise<{ eventId: string; body: string; html: string; roomId: string; content: Record<string, unknown> }>;
  /** Every reply of the bot to an event so far (threaded with m.in_reply_to). */
  repliesTo(roomId: string, eventId: string): Array<{ event_id: string; content: Record<string, unknown> }>;
  /** A message of the bot as it reads now: the newest edit's text (m.new_content), or the original's. */
  currentText(roomId: string, eventId: string): string;
  /** Waits until a message of the bot, edited in place, reads as `pattern` says. */
  waitForText(roomId: string, eventId: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends a command and waits for the bot's threaded reply. */
  ask(
    sender: string,
    roomId: string,
    body: string,
    timeoutMs?: number,
  ): Promise<{ eventId: string; body: string; html: string; content: Record<string, unknown> }>;
  /** Creates a direct chat between `userId` and the bot (end-to-end encrypted if asked), and waits until the bot has joined. */
  openDirectChat(userId: string, options?: { encrypted?: boolean }): Promise<string>;
  /** Waits until the bot is joined to a room. */
  botJoined(roomId: string): Promise<void>;
  /** Stops the bot and starts it again on the same database. */
  restart(): Promise<void>;
  close(): Promise<void>;
};

/** What the people's clients read of an event's content: its body, membership, relation and replacement. */
type Seen = {
  body?: unknown;
  membership?: unknown;
  'm.relates_to'?: { rel_type?: string; event_id?: string; 'm.in_reply_to'?: { event_id?: string } };
  'm.new_content'?: { body?: unknown };
};
const seen = (content: unknown): Seen => (content ?? {}) as Seen;

export type WorldOptions = {
  flavour?: Flavour;
  version?: string;
  configure?: (raw: RawConfig) => void;
  /** Extra account details for Alice (devices with IPs, creation time...). */
  alice?: Record<string, unknown>;
  /** Runs after the standard people exist and before the bot starts. */
  seed?: (hs: TestHomeserver) => void;
  startBot?: boolean;
  /** The bot's clock; tests move it to reach deadlines. Defaults to the real one. */
  now?: () => number;
  /** Job handlers besides the bot's own (a test's stand-in for long work). */
  jobHandlers?: readonly JobHandler[];
  /** The test homeserver's largest upload (`m.upload.size`), for exports cut into parts. */
  uploadLimit?: number;
  /** Base of the backoff between a job's attempts (the bot's default is 30 s). */
  jobRetryBaseMs?: number;
  /** How long after its start the bot starts an export process to wait for the next export (its default is 10 s). */
  warmExportAfterMs?: number;
};

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const hs = await startTestHomeserver({
    flavour: options.flavour ?? 'synapse',
    serverName: SERVER_NAME,
    ...(options.version ? { version: options.version } : {}),
    ...(options.uploadLimit ? { uploadLimit: options.uploadLimit } : {}),
  });
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
  // Every world logs at the most verbose level, as production writes it, and checks at close()
  // that nothing secret or personal reached the log (logLeaks below): every end-to-end test is one.
  const log = memoryLogger({ debug: true });
  const runOptions = {
    ...(options.now ? { now: options.now } : {}),
    ...(options.jobHandlers ? { jobHandlers: options.jobHandlers } : {}),
    ...(options.jobRetryBaseMs === undefined ? {} : { jobRetryBaseMs: options.jobRetryBaseMs }),
    ...(options.warmExportAfterMs === undefined ? {} : { warmExportAfterMs: options.warmExportAfterMs }),
  };
  const secrets = testSecrets(privacybot.accessToken);
  let bot: Running | null = options.startBot === false ? null : await runBot(config, secrets, log, runOptions);

  const say = (sender: string, roomId: string, body: string) => m.sendMessage(roomId, sender, body);
  const replyTo = async (eventId: string, timeoutMs = 10_000) => {
    const reply = await m.waitForEvent(
      (ev) => ev.sender === privacybot.userId && seen(ev.content)['m.relates_to']?.['m.in_reply_to']?.event_id === eventId,
      timeoutMs,
    );
    const content = reply.content as Record<string, unknown>;
    return { eventId: reply.event_id, body: String(content['body']), html: String(content['formatted_body']), roomId: reply.room_id, content };
  };
  const currentText = (roomId: string, eventId: string): string => {
    const edits = m
      .events(roomId)
      .filter(
        (ev) =>
          ev.sender === privacybot.userId &&
          seen(ev.content)['m.relates_to']?.rel_type === 'm.replace' &&
          seen(ev.content)['m.relates_to']?.event_id === eventId,
      );
    const latest = edits.at(-1);
    if (latest !== undefined) return String(seen(latest.content)['m.new_content']?.body);
    return String(seen(m.findEvent(roomId, eventId)?.content).body);
  };
  const botJoined = async (roomId: string) => {
    await m.waitForEvent(
      (ev) => ev.room_id === roomId && ev.type === 'm.room.member' && ev.state_key === privacybot.userId && seen(ev.content).membership === 'join',
    );
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
      m.events(roomId).filter((ev) => ev.sender === privacybot.userId && seen(ev.content)['m.relates_to']?.['m.in_reply_to']?.event_id === eventId),
    currentText: (roomId, eventId) => currentText(roomId, eventId),
    waitForText: async (roomId, eventId, pattern, timeoutMs = 15_000) => {
      await waitUntil(() => pattern.test(currentText(roomId, eventId)), `message ${eventId} to read ${pattern}`, timeoutMs);
      return currentText(roomId, eventId);
    },
    ask: async (sender, roomId, body, timeoutMs) => replyTo(say(sender, roomId, body), timeoutMs),
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
      const leaks = logLeaks(log.lines, hs);
      await hs.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (leaks.length > 0) throw new Error(`the bot's log carries what it must not:\n${leaks.join('\n')}`);
    },
  };
  return world;
}

/**
 * What must never be in the log: an access token, an email address, an IP address, the text of
 * a message someone sent (long enough to be recognised), or the contents of an upload.
 */
export function logLeaks(lines: readonly string[], hs: TestHomeserver): string[] {
  const log = lines.join('\n');
  const m = hs.model;
  const found: string[] = [];
  const check = (what: string, value: string) => {
    if (value.length > 0 && log.includes(value)) found.push(`${what} (${value.slice(0, 12)}…)`);
  };
  for (const token of m.tokens.keys()) check('an access token', token);
  for (const user of m.users.values()) {
    for (const email of user.emails) check('an email address', email.address);
    for (const device of user.devices.values()) if (device.lastSeenIp) check('an IP address', device.lastSeenIp);
  }
  if (/\b\d{1,3}(?:\.\d{1,3}){3}\b/.test(log)) found.push('an IPv4 address');
  for (const room of m.rooms.values()) {
    for (const event of room.events) {
      const body = event.content['body'];
      if (event.type === 'm.room.message' && event.sender !== BOT_ID && typeof body === 'string' && body.length >= 16) check('message text', body);
    }
  }
  for (const media of m.media.values())
    if (media.bytes.length >= 16 && !media.bytes.every((b) => b === media.bytes[0])) check('upload contents', media.bytes.subarray(0, 64).toString('latin1'));
  return found;
}
