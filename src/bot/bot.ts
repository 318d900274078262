// The running bot: matrix-bot-sdk's client wired to the inbox, the commands and
// the replies. Everything here is I/O; decisions live in the pure modules it calls.
import path from 'node:path';
import type { MatrixClient } from 'matrix-bot-sdk';
import { commandNames, COMMANDS } from '../commands/registry.ts';
import type { Command, CommandContext } from '../commands/command.ts';
import { parseMessage, type ParsedMessage } from '../commands/parse.ts';
import { CATEGORY_LABELS, type CategoryId } from '../config/categories.ts';
import type { BotConfig, Secrets } from '../config/load.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import type { Logger } from '../log.ts';
import { chatOver, type Chat } from '../matrix/chat.ts';
import type { MatrixBotSdk } from '../matrix/crypto-seam.ts';
import { render } from '../render/render.ts';
import { bold, code, list, paragraph, type Document } from '../render/document.ts';
import type { Db } from '../store/database.ts';
import { Inbox, type InboxEntry } from '../store/inbox.ts';
import { firstStartedAt } from '../store/meta.ts';
import { claimPolicyAlert } from '../store/policy-alerts.ts';
import { SqliteSdkStorage } from '../store/sdk-storage.ts';
import { classifyIncoming, RoomEvent, serverOf } from './incoming.ts';
import * as replies from './replies.ts';

export type BotDependencies = {
  config: BotConfig;
  secrets: Secrets;
  sdk: MatrixBotSdk;
  /** Whether to use end-to-end encryption (the native library is present and allowed). */
  encryption: boolean;
  db: Db;
  homeserver: Homeserver;
  /** What the admins should know about this server, posted to the admin room at start-up. */
  serverNotes: string[];
  log: Logger;
  now?: () => number;
};

export type RunningBot = {
  adminRoomId: string | null;
  /** Resolves once every command received so far has been answered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

/** An encrypted room is told at most once a day that the bot cannot read it. */
const ENCRYPTED_NOTICE_INTERVAL_MS = 24 * 60 * 60 * 1000;

export async function startBot(deps: BotDependencies): Promise<RunningBot> {
  const { config, sdk, db, homeserver, log } = deps;
  const now = deps.now ?? Date.now;
  const botUserId = config.bot.userId;
  const inbox = new Inbox(db);
  inbox.purgeExpired(now());
  const notBefore = firstStartedAt(db, now());

  const cryptoStore = deps.encryption ? new sdk.RustSdkCryptoStorageProvider(path.join(config.dataDir, 'crypto'), 0 /* StoreType.Sqlite */) : undefined;
  const client: MatrixClient = new sdk.MatrixClient(config.homeserver.url, deps.secrets.botToken, new SqliteSdkStorage(db), cryptoStore);
  // Save the sync position only after a sync's events were handed to us: together
  // with the inbox this means a crash never skips a command.
  Reflect.set(client, 'persistTokenAfterSync', true);
  const chat = chatOver(client, botUserId);

  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const encryptedNoticeSentAt = new Map<string, number>();
  let displayName: string | null = config.bot.displayName ?? null;
  let adminRoomId: string | null = null;
  const protectedRooms = new Set<string>();
  let stopped = false;

  const sendToAdmins = async (document: Document) => {
    if (adminRoomId === null) return log.warn('no admin room joined: an admin notice could not be delivered');
    await chat.sendNotice(adminRoomId, render(document));
  };

  const reportPolicyDiscrepancies = async (categories: CategoryId[]) => {
    for (const category of categories) {
      if (!claimPolicyAlert(db, category, now())) continue;
      log.warn(`server and policy disagree on category ${category}`);
      await sendToAdmins([
        paragraph(bold('Server and policy disagree: '), `the homeserver stores data of the category “${CATEGORY_LABELS[category]}” for at least one user, but the privacy policy declares that this is not kept.`),
        paragraph(
          'Users who ask see what the server holds. Either change the server’s configuration (and remove what it already holds), or correct the policy and ',
          code(`policy.categories.${category}`),
          ' in the bot’s configuration. This alert is sent once for this category.',
        ),
      ]);
    }
  };

  const context = (sender: string, args: string[]): CommandContext => ({
    sender,
    args,
    config,
    homeserver,
    now,
    reportPolicyDiscrepancies,
    commands: COMMANDS,
  });

  const isDirectChat = async (roomId: string, sender: string) => {
    const members = await chat.joinedMembers(roomId);
    return members.length === 2 && members.includes(sender) && members.includes(botUserId);
  };

  /** Decides the answer to one accepted command; null means stay silent. */
  const answer = async (entry: InboxEntry, parsed: ParsedMessage): Promise<Document | null> => {
    if (parsed.kind === 'none') return null;
    // A plain-text command can still arrive in an encrypted room; an answer there would
    // go out unencrypted where the user expects encryption. Only the notice goes there.
    if (!deps.encryption && (await chat.isEncrypted(entry.roomId))) return replies.encryptedRoomNotice(botUserId);
    const direct = await isDirectChat(entry.roomId, entry.sender);
    if (parsed.kind === 'unknown') return direct ? replies.unknownCommand(parsed.word) : null;
    const command = COMMANDS.find((c) => c.name === parsed.name) as Command;
    if (command.scope === 'personal') {
      const senderServer = serverOf(entry.sender);
      if (senderServer !== config.homeserver.serverName) return replies.remoteUser(entry.sender, senderServer, config);
      if (!direct) return replies.notInDirectChat(botUserId, command.name);
    }
    try {
      return await command.run(context(entry.sender, parsed.kind === 'command' ? parsed.args : []));
    } catch (error) {
      if (error instanceof HomeserverError) {
        // The full message names the endpoint and the server: for the operator, not the user.
        log.warn(`!${command.name} failed: ${error.message}`);
        return error.kind === 'unsupported' ? replies.notAvailableHere(config) : replies.homeserverTrouble(config, error.kind);
      }
      log.error(`!${command.name} failed: ${error instanceof Error ? error.name : 'unknown error'}`);
      return replies.internalTrouble(config);
    }
  };

  const handle = async (entry: InboxEntry) => {
    const parsed = parseMessage(entry.command, { userId: botUserId, displayName }, commandNames(COMMANDS));
    try {
      const document = await answer(entry, parsed);
      if (document !== null) await chat.sendNotice(entry.roomId, render(document), entry.eventId);
      inbox.markAnswered(entry.eventId, now());
    } catch (error) {
      // Left unanswered in the inbox: it is tried again at the next start.
      log.error(`could not answer a command: ${error instanceof Error ? error.message.split('\n')[0] : 'unknown error'}`);
    }
  };

  const onRoomEvent = (roomId: string, raw: unknown) => {
    if (stopped) return; // a sync that was in flight when we stopped: the next run gets it again
    const incoming = classifyIncoming(raw, { botUserId, notBefore });
    if (incoming.kind === 'encrypted') {
      if (deps.encryption) return; // the SDK decrypts it and emits room.message
      const last = encryptedNoticeSentAt.get(roomId) ?? 0;
      if (now() - last < ENCRYPTED_NOTICE_INTERVAL_MS) return;
      encryptedNoticeSentAt.set(roomId, now());
      track(chat.sendNotice(roomId, render(replies.encryptedRoomNotice(botUserId))).then(() => {}, (e: unknown) => log.warn(`could not send the encryption notice: ${String(e).split('\n')[0]}`)));
      return;
    }
    if (incoming.kind !== 'message') return;
    const parsed = parseMessage(incoming.body, { userId: botUserId, displayName }, commandNames(COMMANDS));
    if (parsed.kind === 'none') return;
    // Only the command itself is kept, never the rest of the message.
    const commandLine = parsed.kind === 'command' ? ['!' + parsed.name, ...parsed.args].join(' ') : `!${parsed.word}`;
    const entry = { eventId: incoming.event.event_id, roomId, sender: incoming.event.sender, command: commandLine, receivedAt: now() };
    // Synchronous, before the SDK saves its sync position: see store/inbox.ts.
    if (!inbox.accept(entry)) return;
    track(handle(entry));
  };

  const onMemberChange = async (roomId: string, raw: unknown) => {
    const event = RoomEvent.safeParse(raw);
    if (stopped || !event.success || event.data.type !== 'm.room.member' || protectedRooms.has(roomId)) return;
    const membership = event.data.content['membership'];
    if (membership !== 'leave' && membership !== 'ban') return;
    const members = await chat.joinedMembers(roomId);
    if (members.length === 1 && members[0] === botUserId) await chat.leave(roomId, 'Everyone else has left');
  };

  const onInvite = async (roomId: string, raw: unknown) => {
    if (stopped) return;
    const inviter = RoomEvent.safeParse(raw).data?.sender;
    if (inviter === undefined) return;
    if (serverOf(inviter) === config.homeserver.serverName) {
      await chat.join(roomId);
      return;
    }
    // Declining with a reason: the remote user sees it in their client.
    await chat.leave(roomId, `I only serve accounts on ${config.homeserver.serverName}. Your data lives on your own homeserver, ${serverOf(inviter)}: please ask its operators.`);
  };

  const safely = (what: string, work: () => Promise<void>) =>
    track(work().catch((error: unknown) => log.warn(`${what} failed: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`)));

  client.on('room.message', (roomId: string, event: unknown) => onRoomEvent(roomId, event));
  client.on('room.event', (roomId: string, event: unknown) => {
    const type = RoomEvent.safeParse(event).data?.type;
    if (type === 'm.room.encrypted') onRoomEvent(roomId, event);
    if (type === 'm.room.member') safely('leaving an empty room', () => onMemberChange(roomId, event));
  });
  client.on('room.invite', (roomId: string, event: unknown) => safely('answering an invite', () => onInvite(roomId, event)));

  // Start-up: the admin room first, so that problems found later can be told.
  try {
    adminRoomId = await chat.join(config.adminRoom);
    protectedRooms.add(adminRoomId);
  } catch (error) {
    log.error(`could not join the admin room ${config.adminRoom}: ${String(error instanceof Error ? error.message : error).split('\n')[0]}`);
  }
  try {
    protectedRooms.add(await chat.join(config.privacyContact.room));
  } catch {
    log.warn(`could not join the privacy contact room ${config.privacyContact.room}`);
  }
  if (displayName === null) {
    displayName = await client.getUserProfile(botUserId).then((p: { displayname?: string }) => p.displayname ?? null, () => null);
  }
  if (deps.serverNotes.length > 0) {
    await sendToAdmins([paragraph(bold('Privacy bot started. About this homeserver:')), list(deps.serverNotes.map((note) => [note]))]).catch(() => {});
  }

  await client.start();
  log.info('privacy bot started and syncing');
  // Commands accepted before a crash or stop, never answered: answer them now.
  for (const entry of inbox.unanswered()) track(handle(entry));

  return {
    get adminRoomId() {
      return adminRoomId;
    },
    idle: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    stop: async () => {
      stopped = true;
      client.stop();
      await Promise.allSettled([...pending]);
    },
  };
}
