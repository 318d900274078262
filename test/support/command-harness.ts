// The command harness: the bot's own handlers, desks and request lifecycle, composed as in
// production (src/bot/composition.ts, composeHandlers) over an in-memory SQLite database, with
// a homeserver stand-in at the Homeserver interface (canned-homeserver.ts) and a chat stand-in
// at the Chat interface (chat-stand-in.ts). A message goes in as a Matrix event through
// bot.ts's onTimelineEvent; the reply comes out of answering.ts. No network, no process, no
// jobs running (they stay queued): for each command's wording and branches. What needs the
// real wire (sync, encryption, delivery of files, crashes) stays in test/e2e/.
//
//   const h = commandHarness();
//   const dm = h.directChat(h.alice);
//   expect((await h.say(h.alice, dm, '!status')).text).toContain('You have no requests');
import fs from 'node:fs';
import { onTimelineEvent } from '../../src/bot/bot.ts';
import { type ComposedHandlers, composeHandlers } from '../../src/bot/composition.ts';
import { type BotConfig, validateConfig } from '../../src/config/load.ts';
import type { JobHandler } from '../../src/jobs/runner.ts';
import type { Logger } from '../../src/log.ts';
import { type Db, openMemoryDatabase } from '../../src/store/database.ts';
import { CannedHomeserver } from './canned-homeserver.ts';
import { ChatStandIn, type SentMessage } from './chat-stand-in.ts';

export const SERVER = 'example.org';
const BOT = `@privacybot:${SERVER}`;

export type HarnessOptions = {
  /** Changes to the shipped bot.config.json before it is validated. */
  configure?: (raw: Record<string, any>) => void;
  /** Job handlers to register (none by default: jobs stay queued). */
  jobHandlers?: readonly JobHandler[];
};

export type Harness = ReturnType<typeof commandHarness>;

/** A log that keeps its lines, "LEVEL message", so that tests can read what was (not) logged. */
function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(`INFO ${m}`), warn: (m) => void lines.push(`WARN ${m}`), error: (m) => void lines.push(`ERROR ${m}`) };
}

/** Not secrets: the pseudonym key of the harness, and no token at all (nothing goes over the wire). */
const SECRETS = {
  botToken: 'none',
  adminToken: 'none',
  adminTokenIsSeparate: false,
  pseudonymKey: 'harness-pseudonym-key-0123456789abcdef',
  smtpPassword: null,
  cryptoPassphrase: null,
};

/** The shipped config, for example.org, with the harness's rooms and admins. */
function harnessConfig(configure: HarnessOptions['configure']): BotConfig {
  const raw = JSON.parse(fs.readFileSync(new URL('../../bot.config.json', import.meta.url), 'utf8'));
  raw.homeserver = { url: 'http://127.0.0.1:9', serverName: SERVER };
  raw.bot = { userId: BOT, encryption: 'off', displayName: 'Privacy Bot' };
  raw.admins = [`@admin:${SERVER}`, `@admin2:${SERVER}`];
  raw.dataDir = '/nonexistent/dsar-command-harness';
  raw.rateLimits = { perUserPerMinute: 1000, globalPerMinute: 100_000 };
  configure?.(raw);
  const result = validateConfig(raw);
  if (!result.ok) throw new Error(`harness config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

export function commandHarness(options: HarnessOptions = {}) {
  const config = harnessConfig(options.configure);
  const db: Db = openMemoryDatabase();
  const log = memoryLog();
  let offset = 0;
  const now = () => Date.now() + offset;
  const homeserver = new CannedHomeserver();
  const chat = new ChatStandIn(BOT);
  const people = {
    alice: `@alice:${SERVER}`,
    bob: `@bob:${SERVER}`,
    admin: `@admin:${SERVER}`,
    admin2: `@admin2:${SERVER}`,
    mallory: `@mallory:${SERVER}`,
    remote: '@dave:remote.example',
  };
  const adminRoom = chat.addRoom(`!admins:${SERVER}`, [BOT, people.admin, people.admin2, people.mallory], { aliases: [config.adminRoom] });
  const contactRoom = chat.addRoom(`!contact:${SERVER}`, [BOT, people.admin], { aliases: [config.privacyContact.room] });
  const composed: ComposedHandlers = composeHandlers(
    {
      config,
      secrets: SECRETS,
      db,
      homeserver: homeserver.asHomeserver(),
      encryption: false,
      log,
      now,
      makePackage: () => {
        throw new Error('the command harness makes no export packages');
      },
      jobHandlers: options.jobHandlers ?? [],
    },
    { chat, canEncryptFor: async () => true },
  );
  const { bot, services } = composed;
  // What start-up would have joined (composition.ts, startUp).
  bot.state.adminRoomId = adminRoom;
  bot.state.contactRoomId = contactRoom;
  let rooms = 0;

  /** Sends `body` as `sender` into `roomId` and waits until the bot has done with it: its threaded answer, or null when it stays silent. */
  async function say(sender: string, roomId: string, body: string): Promise<SentMessage | null> {
    const eventId = chat.receive(body);
    const event = { event_id: eventId, sender, type: 'm.room.message', origin_server_ts: now(), content: { msgtype: 'm.text', body } };
    onTimelineEvent(bot, roomId, event);
    await idle();
    return chat.sent.find((m) => m.roomId === roomId && m.replyTo === eventId) ?? null;
  }

  /** Like say, for a command that must be answered: the answer's plain text. */
  async function ask(sender: string, roomId: string, body: string): Promise<string> {
    const answer = await say(sender, roomId, body);
    if (answer === null) throw new Error(`no answer to ${body.split(' ')[0]}; the log:\n${log.lines.join('\n')}`);
    return answer.text;
  }

  /** A reaction (✅ ❌) from `sender` on the bot's message `target` in the admin room; the bot's answer, threaded on the target. */
  async function react(sender: string, target: string, key: string): Promise<SentMessage | null> {
    const before = chat.sent.length;
    const event = {
      event_id: chat.receive(''),
      sender,
      type: 'm.reaction',
      origin_server_ts: now(),
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key } },
    };
    onTimelineEvent(bot, adminRoom, event);
    await idle();
    return chat.sent.slice(before).find((m) => m.replyTo === target) ?? null;
  }

  async function idle(): Promise<void> {
    do await bot.background.settled();
    while (bot.background.size > 0);
  }

  return {
    ...people,
    config,
    db,
    log,
    chat,
    homeserver,
    services,
    bot,
    desk: services.desk,
    erasure: services.erasure,
    exports: bot.exports,
    adminRoom,
    contactRoom,
    now,
    /** Moves the bot's clock on. */
    advance: (ms: number) => {
      offset += ms;
    },
    say,
    ask,
    react,
    idle,
    /** A direct chat between `userId` and the bot. */
    directChat: (userId: string, options: { encrypted?: boolean } = {}) => chat.addRoom(`!dm${++rooms}:${SERVER}`, [userId, BOT], options),
    /** A room with the bot and these people. */
    groupRoom: (...members: string[]) => chat.addRoom(`!group${++rooms}:${SERVER}`, [BOT, ...members]),
    /** What the bot sent into a room, as plain text, in order. */
    textsIn: (roomId: string) => chat.sentTo(roomId).map((m) => m.text),
    close: () => {
      composed.stopAnswering();
      db.close();
    },
  };
}
