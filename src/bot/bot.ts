// The running bot: matrix-bot-sdk's client wired to the inbox, the commands and
// the replies. Everything here is I/O; decisions live in the pure modules it calls
// (incoming.ts, routing.ts, rooms.ts, replies.ts, admin-notices.ts, inbox-command.ts,
// delivery.ts, sync/timeline-gaps.ts); answering.ts and sync/ hold the delivery I/O.
import path from 'node:path';
import type { MatrixClient } from 'matrix-bot-sdk';
import type { CommandContext } from '../commands/command.ts';
import { parseMessage, type ParsedMessage } from '../commands/parse.ts';
import { COMMAND_NAMES, COMMANDS } from '../commands/registry.ts';
import type { CategoryId } from '../config/categories.ts';
import type { BotConfig, Secrets } from '../config/load.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import { redactForLog, type Logger } from '../log.ts';
import { chatOver } from '../matrix/chat.ts';
import type { MatrixBotSdk } from '../matrix/crypto-seam.ts';
import { readableEvent } from '../matrix/readable-event.ts';
import type { Document } from '../render/document.ts';
import { render } from '../render/render.ts';
import type { Db } from '../store/database.ts';
import { Inbox, type InboxEntry } from '../store/inbox.ts';
import { firstStartedAt, readMeta, writeMeta } from '../store/meta.ts';
import { claimPolicyAlert, releasePolicyAlert } from '../store/policy-alerts.ts';
import { SqliteSdkStorage } from '../store/sdk-storage.ts';
import { SyncGaps } from '../store/sync-gaps.ts';
import { GapFiller } from '../sync/gap-filler.ts';
import { syncWithoutGaps } from '../sync/gapless-sync.ts';
import * as adminNotices from './admin-notices.ts';
import { answering } from './answering.ts';
import { reportGivenUp, type GiveUpDependencies } from './give-up.ts';
import { inboxCommand } from './inbox-command.ts';
import { classifyIncoming, RoomEvent } from './incoming.ts';
import * as replies from './replies.ts';
import { inviteDecision, isLeftAlone } from './rooms.ts';
import { route, type Route } from './routing.ts';

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
  /** Resolves once every command received so far was answered, given up, or left for a later attempt, and every known gap read. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

/** An encrypted room is told at most once a day, unprompted, that the bot cannot read it. */
const ENCRYPTED_NOTICE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** meta key: what the last start-up notice about the server said (admin-notices.ts). */
const SERVER_NOTES_DIGEST = 'server_notes_digest';

/** For the log: the first line of an error, without tokens or addresses. */
const firstLine = (error: unknown): string => redactForLog(String(error instanceof Error ? error.message : error).split('\n')[0]!);

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
  const syncGaps = new SyncGaps(db);
  // What a limited sync timeline skipped is noted before the sync position moves on, then read.
  syncWithoutGaps(client, (gaps) => {
    syncGaps.record(gaps, now());
    gapFiller.wake();
  });
  const gapFiller = new GapFiller({ client, gaps: syncGaps, deliver: async (roomId, raw) => onTimelineEvent(roomId, await readableEvent(sdk, client, roomId, raw)), log });

  const pending = new Set<Promise<void>>();
  const track = (what: string, work: Promise<void>) => {
    const tracked = work.catch((error: unknown) => log.warn(`${what} failed: ${firstLine(error)}`));
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
  };
  const encryptedNoticeSentAt = new Map<string, number>();
  const servedRooms = new Set<string>(); // the admin and privacy contact rooms: never left
  let displayName: string | null = config.bot.displayName ?? null;
  let adminRoomId: string | null = null;
  let stopped = false;

  /** `key` names the notice: the same key is never posted twice (send-once.ts). False: no admin room to post to. */
  const sendToAdmins = async (document: Document, key: string): Promise<boolean> => {
    if (adminRoomId === null) {
      log.warn('no admin room joined: an admin notice could not be delivered');
      return false;
    }
    await chat.sendNotice(adminRoomId, render(document), { key });
    return true;
  };
  const giveUpDeps: GiveUpDependencies = { inbox, tellAdmins: sendToAdmins, log, now };

  const reportPolicyDiscrepancies = async (categories: CategoryId[]) => {
    for (const category of categories) {
      if (!claimPolicyAlert(db, category, now())) continue;
      log.warn(`server and policy disagree on category ${category}`);
      const told = await sendToAdmins(adminNotices.policyDisagreement(category), `policy-alert:${category}`).catch((error: unknown) => {
        releasePolicyAlert(db, category); // told next time instead
        throw error;
      });
      if (!told) releasePolicyAlert(db, category);
    }
  };

  const parse = (body: string) => parseMessage(body, { userId: botUserId, displayName }, COMMAND_NAMES);

  const context = (sender: string, args: string[]): CommandContext => ({ sender, args, config, homeserver, now, reportPolicyDiscrepancies, commands: COMMANDS });

  const routeFor = async (entry: InboxEntry, parsed: ParsedMessage): Promise<Route> => {
    if (parsed.kind === 'none') return { kind: 'silent' };
    const members = await chat.joinedMembers(entry.roomId);
    const direct = members.length === 2 && members.includes(entry.sender) && members.includes(botUserId);
    const unreadable = !deps.encryption && (await chat.isEncrypted(entry.roomId));
    return route(parsed, entry.sender, { direct, unreadable }, COMMANDS, config);
  };

  const run = async (decision: Extract<Route, { kind: 'run' }>, entry: InboxEntry): Promise<Document> => {
    const { command, args } = decision;
    await chat.setTyping(entry.roomId, true);
    try {
      return await command.run(context(entry.sender, args));
    } catch (error) {
      if (error instanceof HomeserverError) {
        // The full message names the endpoint and the server: for the operator, not the user.
        log.warn(`!${command.name} failed: ${error.message}`);
        return error.kind === 'unsupported' ? replies.notAvailableHere(config) : replies.homeserverTrouble(config, error.kind);
      }
      log.error(`!${command.name} failed: ${error instanceof Error ? error.name : 'unknown error'}`);
      return replies.internalTrouble(config);
    } finally {
      await chat.setTyping(entry.roomId, false);
    }
  };

  const compose = async (entry: InboxEntry): Promise<Document | null> => {
    const decision = await routeFor(entry, parse(entry.command));
    return decision.kind === 'run' ? await run(decision, entry) : decision.kind === 'reply' ? decision.document : null;
  };
  const { answer, stop: stopAnswering } = answering({ config, inbox, chat, compose, giveUp: giveUpDeps, track, log, now });

  /** Garbage typed m.room.encrypted can arrive anywhere: only a really encrypted room hears that the bot cannot read it. */
  const noticeUnreadableRoom = async (roomId: string) => {
    if (now() - (encryptedNoticeSentAt.get(roomId) ?? 0) < ENCRYPTED_NOTICE_INTERVAL_MS) return;
    encryptedNoticeSentAt.set(roomId, now());
    if (!(await chat.isEncrypted(roomId))) return;
    const day = Math.floor(now() / ENCRYPTED_NOTICE_INTERVAL_MS);
    await chat.sendNotice(roomId, render(replies.encryptedRoomNotice(botUserId)), { key: `encrypted-room-notice:${day}` });
  };

  const postServerNotes = async (notes: string[]) => {
    const { digest, post } = adminNotices.serverNotesToPost(notes, readMeta(db, SERVER_NOTES_DIGEST));
    if (post && !(await sendToAdmins(adminNotices.serverNotes(notes), `server-notes:${digest}`))) return;
    if (!post && notes.length > 0) log.info('the notes about this homeserver are unchanged since they were last posted; not posting them again');
    writeMeta(db, SERVER_NOTES_DIGEST, digest);
  };

  const onRoomEvent = (roomId: string, raw: unknown) => {
    if (stopped) return; // a sync that was in flight when we stopped: the next run gets it again
    const incoming = classifyIncoming(raw, { botUserId, notBefore });
    if (incoming.kind === 'encrypted') {
      // With encryption on, the SDK decrypts what it can and hands over the decrypted event.
      if (!deps.encryption) track('sending the encryption notice', noticeUnreadableRoom(roomId));
      return;
    }
    if (incoming.kind !== 'message') return;
    const parsed = parse(incoming.body);
    if (parsed.kind === 'none') return;
    // Only the command and the arguments it takes are kept, capped, never the rest of the message.
    const entry = { eventId: incoming.event.event_id, roomId, sender: incoming.event.sender, command: inboxCommand(parsed, COMMANDS), receivedAt: now() };
    // Synchronous, before the SDK saves its sync position: see store/inbox.ts.
    if (!inbox.accept(entry)) return;
    track('answering a command', answer(entry));
  };

  const onMemberChange = async (roomId: string, event: RoomEvent) => {
    const membership = event.content['membership'];
    if (servedRooms.has(roomId) || (membership !== 'leave' && membership !== 'ban')) return;
    if (isLeftAlone(await chat.joinedMembers(roomId), botUserId)) await chat.leave(roomId, 'Everyone else has left');
  };

  const onInvite = async (roomId: string, inviter: string) => {
    const decision = inviteDecision(inviter, config.homeserver.serverName);
    // A decline's reason is shown to the inviter by their client.
    await (decision.kind === 'join' ? chat.join(roomId) : chat.leave(roomId, decision.reason));
  };

  /** Every timeline event, from a sync (decrypted where possible) or from a gap in one. */
  function onTimelineEvent(roomId: string, raw: unknown): void {
    const event = RoomEvent.safeParse(raw).data;
    if (stopped || event === undefined) return;
    if (event.type === 'm.room.message' || event.type === 'm.room.encrypted') onRoomEvent(roomId, event);
    if (event.type === 'm.room.member') track('leaving an empty room', onMemberChange(roomId, event));
  }

  client.on('room.event', onTimelineEvent);
  client.on('room.invite', (roomId: string, raw: unknown) => {
    const inviter = RoomEvent.safeParse(raw).data?.sender;
    if (!stopped && inviter !== undefined) track('answering an invite', onInvite(roomId, inviter));
  });

  // Start-up: the admin room first, so that what is found later can be told.
  try {
    adminRoomId = await chat.join(config.adminRoom);
    servedRooms.add(adminRoomId);
  } catch (error) {
    log.error(`could not join the admin room ${config.adminRoom}: ${firstLine(error)}`);
  }
  try {
    servedRooms.add(await chat.join(config.privacyContact.room));
  } catch (error) {
    log.warn(`could not join the privacy contact room ${config.privacyContact.room}: ${firstLine(error)}`);
  }
  displayName ??= await client.getUserProfile(botUserId).then((profile: { displayname?: string }) => profile.displayname ?? null, () => null);
  track('telling the admins about the server', postServerNotes(deps.serverNotes));

  // Commands accepted before a crash or stop and never answered, listed before the sync adds new ones (answered as they come).
  const backlog = inbox.unanswered();
  await client.start();
  log.info('privacy bot started and syncing');
  // Now answer the backlog, report what was given up without the admins hearing of it, and read the gaps left open.
  for (const entry of backlog) track('answering a command', answer(entry));
  for (const entry of inbox.failedUnreported()) track('reporting a command given up', reportGivenUp(giveUpDeps, entry));
  gapFiller.wake();

  return {
    get adminRoomId() {
      return adminRoomId;
    },
    idle: async () => {
      do {
        await gapFiller.idle();
        await Promise.allSettled([...pending]);
      } while (pending.size > 0);
    },
    stop: async () => {
      stopped = true;
      client.stop();
      stopAnswering();
      await gapFiller.stop();
      await Promise.allSettled([...pending]);
    },
  };
}
