// The running bot: matrix-bot-sdk's client wired to the inbox, the commands, the request
// lifecycle and the replies. Everything here is I/O; decisions live in the pure modules
// it calls (incoming.ts, routing.ts, rooms.ts, replies.ts, reactions.ts, rate-limit.ts,
// admin-notices.ts, inbox-command.ts, delivery.ts, sync/timeline-gaps.ts); answering.ts
// and sync/ hold the delivery I/O, services.ts the request lifecycle's parts.
import type { MatrixClient, RustSdkCryptoStorageProvider } from 'matrix-bot-sdk';
import { decisionReply } from '../commands/admin-erasure.ts';
import { replyDocument, type CommandContext, type Place, type Reply } from '../commands/command.ts';
import { commandText, parseMessage, type ParsedMessage } from '../commands/parse.ts';
import { COMMAND_NAMES, COMMANDS } from '../commands/registry.ts';
import type { CategoryId } from '../config/categories.ts';
import type { BotConfig, Secrets } from '../config/load.ts';
import { hasEncryptionKeys } from '../crypto/reachability.ts';
import { useContentAddressedToDeviceTxnIds } from '../crypto/to-device.ts';
import { REACTION_DENIAL_REASON, reactionDenialFollowUp } from '../erasure/messages.ts';
import { ExportDesk } from '../export/export-desk.ts';
import { exportJobHandler } from '../export/export-job.ts';
import { ExportStore } from '../export/export-store.ts';
import { exportsDir, type ExpiryDependencies } from '../export/expiry.ts';
import { forgetExports } from '../export/forget-exports.ts';
import type { PackageMaker } from '../export/package-maker.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import { messageCountHandler } from '../inventory/count-job.ts';
import type { JobHandler } from '../jobs/runner.ts';
import type { ForgetHook } from '../erasure/forget.ts';
import { redactForLog, type Logger } from '../log.ts';
import { chatOver } from '../matrix/chat.ts';
import type { MatrixBotSdk } from '../matrix/crypto-seam.ts';
import { readableEvent } from '../matrix/readable-event.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Document } from '../render/document.ts';
import { render } from '../render/render.ts';
import { pseudonymiser } from '../requests/pseudonym.ts';
import { BOT } from '../requests/request.ts';
import type { Db } from '../store/database.ts';
import { Inbox, type InboxEntry } from '../store/inbox.ts';
import { firstStartedAt, readMeta, writeMeta } from '../store/meta.ts';
import { claimPolicyAlert, releasePolicyAlert } from '../store/policy-alerts.ts';
import { SqliteSdkStorage } from '../store/sdk-storage.ts';
import { SyncGaps } from '../store/sync-gaps.ts';
import { GapFiller } from '../sync/gap-filler.ts';
import { syncWithoutGaps } from '../sync/gapless-sync.ts';
import * as adminNotices from './admin-notices.ts';
import { answering, type Composed } from './answering.ts';
import { reportGivenUp, type GiveUpDependencies } from './give-up.ts';
import { inboxCommand } from './inbox-command.ts';
import { classifyIncoming, RoomEvent } from './incoming.ts';
import { jobEventsFor } from './job-messages.ts';
import { RateLimiter } from './rate-limit.ts';
import { RoomCache } from './room-cache.ts';
import { parseReactionCommand, reactionCommand, reactionDecision, type ReactionDecision } from './reactions.ts';
import * as replies from './replies.ts';
import { inviteDecision, isLeftAlone } from './rooms.ts';
import { route, type Route } from './routing.ts';
import { createRequestServices, type RequestServices } from './services.ts';

export type BotDependencies = {
  config: BotConfig;
  secrets: Secrets;
  sdk: MatrixBotSdk;
  /** Whether to use end-to-end encryption (an engine loaded, it is allowed, and its store is open). */
  encryption: boolean;
  /** The end-to-end encryption store (crypto/crypto-store.ts), when encryption is on. */
  cryptoStore?: RustSdkCryptoStorageProvider | undefined;
  db: Db;
  homeserver: Homeserver;
  /** Makes export packages (run.ts: each in a process of its own). */
  makePackage: PackageMaker;
  /** What the admins should know about this server, posted to the admin room at start-up. */
  serverNotes: string[];
  log: Logger;
  now?: () => number;
  /** The background work of requests (exports, erasures), by kind: besides the bot's own erasure job. */
  jobHandlers?: readonly JobHandler[];
  /** What else the bot keeps about a person, deleted when their erasure ends (services.ts). */
  forgetHooks?: readonly ForgetHook[];
  /** Base of the backoff between a job's attempts (default 30 s; tests make it short). */
  jobRetryBaseMs?: number;
};

export type RunningBot = {
  adminRoomId: string | null;
  /** The request lifecycle's parts, for the CLI and for tests that look inside. */
  services: RequestServices;
  /** Exports: the expiry pass, and `deleteExportsOf(userId)` for after an erasure. */
  exports: ExportDesk;
  /** Resolves once every command received so far was answered, given up, or left for a later attempt, and every known gap read. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

/** Commands that answer faster than this show no typing notification. */
const TYPING_AFTER_MS = 300;

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

  const client: MatrixClient = new sdk.MatrixClient(config.homeserver.url, deps.secrets.botToken, new SqliteSdkStorage(db), deps.cryptoStore);
  // End-to-end encryption: room keys re-sent after a crash are delivered once.
  if (deps.cryptoStore !== undefined) useContentAddressedToDeviceTxnIds(client);
  // Save the sync position only after a sync's events were handed to us: together
  // with the inbox this means a crash never skips a command.
  Reflect.set(client, 'persistTokenAfterSync', true);
  const chat = chatOver(client, botUserId);
  const rooms = new RoomCache(chat);
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
  let contactRoomId: string | null = null;
  let stopped = false;
  const rateLimiter = new RateLimiter(config.rateLimits);
  /** Bodies of commands received live, until answered: free text is relayed from memory, never stored. */
  const liveBodies = new Map<string, string>();

  /** `key` names the notice: the same key is never posted twice (send-once.ts). Null: no admin room to post to. */
  const sendToAdmins = async (document: Document, key: string): Promise<string | null> => {
    if (adminRoomId === null) {
      log.warn('no admin room joined: an admin notice could not be delivered');
      return null;
    }
    return chat.sendNotice(adminRoomId, render(document), { key });
  };

  const notifier: Notifier = {
    toRequester: async (roomId, document, key) => void (await chat.sendNotice(roomId, render(document), { key })),
    toAdmins: sendToAdmins,
    toPrivacyContact: async (document, key) => {
      if (contactRoomId === null) return log.warn('no privacy contact room joined: a message for the privacy contact could not be delivered');
      await chat.sendNotice(contactRoomId, render(document), { key });
    },
  };
  const exportStore = new ExportStore(db);
  const expiry: ExpiryDependencies = {
    store: exportStore,
    homeserver,
    outputDir: exportsDir(config.dataDir),
    botUserId,
    now,
    log: (line) => log.info(line),
    audit: (requestId, action, detail) => services.desk.requests.record(requestId, BOT, action, detail),
  };
  const jobMessages = jobEventsFor({
    chat,
    notifier,
    progressEventOf: (id) => services.jobStore.get(id)?.progressEvent ?? null,
    recordProgressEvent: (id, eventId) => services.jobStore.setProgressEvent(id, eventId),
    log: (line) => log.warn(line),
  });
  const services = createRequestServices({
    config,
    secrets: deps.secrets,
    db,
    chatNotifier: notifier,
    handlers: [
      exportJobHandler({
        config, homeserver, makePackage: deps.makePackage, chat, encryption: deps.encryption, store: exportStore, expiry, now,
        isCancelled: (id) => (services.desk.requests.get(id)?.state ?? 'cancelled') === 'cancelled',
        log: (line) => log.info(line),
      }),
      messageCountHandler({ config, homeserver, chat, now, reportPolicyDiscrepancies: (categories) => reportPolicyDiscrepancies(categories) }),
      // A test's stand-in for a kind replaces the bot's own.
      ...(deps.jobHandlers ?? []),
    ],
    homeserver,
    forgetHooks: [forgetExports({ deleteExportsOf: (userId) => exports.deleteExportsOf(userId), outputDir: expiry.outputDir }), ...(deps.forgetHooks ?? [])],
    ...(deps.jobRetryBaseMs === undefined ? {} : { jobRetryBaseMs: deps.jobRetryBaseMs }),
    jobEvents: jobMessages,
    tasks: [['expired exports', () => exports.expireDue()]],
    now,
    log: (line) => log.info(line),
  });
  const exports = new ExportDesk({
    config,
    requests: services.desk.requests,
    jobs: services.jobs,
    expiry,
    pseudonymise: pseudonymiser(deps.secrets.pseudonymKey ?? ''),
    now,
  });
  const giveUpDeps: GiveUpDependencies = {
    inbox,
    tellAdmins: async (document, key) => (await sendToAdmins(document, key)) !== null,
    // A command that opened a request and can never be answered: the request fails, and is escalated once.
    failRequest: (eventId) => services.desk.failUndeliverable(eventId),
    log,
    now,
  };

  const reportPolicyDiscrepancies = async (categories: CategoryId[]) => {
    for (const category of categories) {
      if (!claimPolicyAlert(db, category, now())) continue;
      log.warn(`server and policy disagree on category ${category}`);
      const told = await sendToAdmins(adminNotices.policyDisagreement(category), `policy-alert:${category}`).catch((error: unknown) => {
        releasePolicyAlert(db, category); // told next time instead
        throw error;
      });
      if (told === null) releasePolicyAlert(db, category);
    }
  };

  const parse = (body: string) => parseMessage(body, { userId: botUserId, displayName }, COMMAND_NAMES);

  /** The message's free text after the command's words: from memory while live, else read again from the server. */
  const textOf = (entry: InboxEntry, keptWords: number) => async (): Promise<string> => {
    const body = liveBodies.get(entry.eventId) ?? (await chat.messageBody(entry.roomId, entry.eventId)) ?? '';
    return commandText(body, { userId: botUserId, displayName }, keptWords);
  };

  const context = (entry: InboxEntry, place: Place, keptWords: number): CommandContext => ({
    sender: entry.sender,
    roomId: entry.roomId,
    eventId: entry.eventId,
    place,
    config,
    homeserver,
    desk: services.desk,
    erasure: services.erasure,
    exports,
    now,
    text: textOf(entry, keptWords),
    reportPolicyDiscrepancies,
    commands: COMMANDS,
  });

  const placeOf = async (roomId: string, sender: string): Promise<Place> => {
    if (roomId === adminRoomId) return 'admin';
    if (roomId === contactRoomId) return 'privacy-contact';
    const members = await rooms.members(roomId);
    return members.length === 2 && members.includes(sender) && members.includes(botUserId) ? 'direct' : 'group';
  };

  const routeFor = async (entry: InboxEntry, parsed: ParsedMessage): Promise<{ route: Route; place: Place }> => {
    if (parsed.kind === 'none') return { route: { kind: 'silent' }, place: 'group' };
    const place = await placeOf(entry.roomId, entry.sender);
    const encrypted = await rooms.isEncrypted(entry.roomId);
    const unreadable = encrypted && !deps.encryption;
    // End-to-end encryption: an answer encrypted for someone without keys would be unreadable to them.
    const undecryptable = encrypted && deps.encryption && !(await hasEncryptionKeys(client, entry.sender));
    // An admin is listed in the config and joined to the admin room now.
    const senderIsAdmin = place === 'admin' && config.admins.includes(entry.sender) && (await rooms.members(entry.roomId)).includes(entry.sender);
    return { route: route(parsed, entry.sender, { place, unreadable, undecryptable, senderIsAdmin }, COMMANDS, config), place };
  };

  const run = async (decision: Extract<Route, { kind: 'run' }>, entry: InboxEntry, place: Place): Promise<Reply> => {
    const { command, args } = decision;
    // Typing shows only for answers that take a moment: a quick one needs no two extra requests.
    let typing = false;
    const showTyping = setTimeout(() => {
      typing = true;
      void chat.setTyping(entry.roomId, true);
    }, TYPING_AFTER_MS);
    let reply: Reply | null = null;
    try {
      reply = await command.run(context(entry, place, command.keptWords), args);
      return reply;
    } catch (error) {
      if (error instanceof HomeserverError) {
        // The full message names the endpoint and the server: for the operator, not the user.
        log.warn(`!${command.name} failed: ${error.message}`);
        return error.kind === 'unsupported' ? replies.notAvailableHere(config) : replies.homeserverTrouble(config, error.kind);
      }
      log.error(`!${command.name} failed: ${error instanceof Error ? error.name : 'unknown error'}`);
      return replies.internalTrouble(config);
    } finally {
      clearTimeout(showTyping);
      // A job that edits its progress into the answer keeps typing up while it runs, and ends it.
      const job = reply === null || Array.isArray(reply) ? null : services.jobStore.get(reply.progressOf);
      if (typing && job?.state !== 'running') await chat.setTyping(entry.roomId, false);
    }
  };

  /** ✅ or ❌ from an admin on an erasure's approval message; a retry changes nothing twice. Answered in a thread on that message. */
  const decideByReaction = async (entry: InboxEntry, reaction: Pick<ReactionDecision, 'decision' | 'target'>): Promise<Composed | null> => {
    const request = services.erasure.byApprovalEvent(reaction.target);
    if (request === null || adminRoomId === null) return null;
    const isAdmin = config.admins.includes(entry.sender) && (await rooms.members(adminRoomId)).includes(entry.sender);
    if (!isAdmin) {
      log.warn(`refused a decision by reaction from someone who is not a listed admin: ${entry.sender}`);
      return { document: replies.notAnAdmin(reaction.decision), replyTo: reaction.target };
    }
    const outcome =
      reaction.decision === 'approve' ? await services.erasure.approve(request.id, entry.sender) : await services.erasure.deny(request.id, entry.sender, REACTION_DENIAL_REASON);
    if (outcome.kind === 'denied') await notifier.toPrivacyContact(reactionDenialFollowUp(outcome.request), `reaction-denial:${request.id}`);
    return { document: decisionReply(outcome), replyTo: reaction.target };
  };

  /** The answer to an accepted command (or reaction): what to send, or null for none. */
  const compose = async (entry: InboxEntry): Promise<Composed | null> => {
    const reaction = parseReactionCommand(entry.command);
    if (reaction !== null) return decideByReaction(entry, reaction);
    const parsed = parse(entry.command);
    if (parsed.kind !== 'none') {
      const limit = rateLimiter.take(entry.sender, now());
      if (limit.kind === 'refuse') {
        if (!limit.tell) return null;
        log.warn(`rate limit (${limit.scope}) reached by ${entry.sender}: further commands this minute are not answered`);
        return { document: replies.rateLimited(limit.retryAfterMs, limit.scope, config.rateLimits.perUserPerMinute) };
      }
    }
    const { route: decision, place } = await routeFor(entry, parsed);
    switch (decision.kind) {
      case 'silent':
        return null;
      case 'refuse':
        log.warn(`refused ${decision.why}: ${entry.sender}`);
        return { document: decision.document };
      case 'reply':
        return { document: decision.document, unencrypted: decision.unencrypted === true };
      case 'run': {
        const reply = await run(decision, entry, place);
        liveBodies.delete(entry.eventId);
        if (Array.isArray(reply)) return { document: reply };
        return { document: replyDocument(reply), sent: (eventId) => track('showing a job’s progress', jobMessages.progressMessageSent(reply.progressOf, eventId)) };
      }
    }
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
    if (post && (await sendToAdmins(adminNotices.serverNotes(notes), `server-notes:${digest}`)) === null) return;
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
    if (parsed.kind === 'command' && COMMANDS.find((c) => c.name === parsed.name)?.takesText) liveBodies.set(entry.eventId, incoming.body);
    track('answering a command', answer(entry));
  };

  const onReaction = (roomId: string, raw: unknown) => {
    const reaction = reactionDecision(raw, { botUserId, notBefore });
    if (reaction === null) return;
    const entry = { eventId: reaction.eventId, roomId, sender: reaction.sender, command: reactionCommand(reaction), receivedAt: now() };
    if (inbox.accept(entry)) track('deciding by reaction', answer(entry));
  };

  const onMemberChange = async (roomId: string, event: RoomEvent) => {
    const membership = event.content['membership'];
    if (servedRooms.has(roomId) || (membership !== 'leave' && membership !== 'ban')) return;
    if (isLeftAlone(await rooms.members(roomId), botUserId)) await chat.leave(roomId, 'Everyone else has left');
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
    rooms.saw(roomId, event.type);
    if (event.type === 'm.room.message' || event.type === 'm.room.encrypted') onRoomEvent(roomId, event);
    if (event.type === 'm.reaction' && roomId === adminRoomId) onReaction(roomId, raw);
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
    contactRoomId = await chat.join(config.privacyContact.room);
    servedRooms.add(contactRoomId);
  } catch (error) {
    log.warn(`could not join the privacy contact room ${config.privacyContact.room}: ${firstLine(error)}`);
  }
  displayName ??= await client.getUserProfile(botUserId).then((profile: { displayname?: string }) => profile.displayname ?? null, () => null);

  // Commands accepted before a crash or stop and never answered, listed before the sync adds new ones (answered as they come).
  const backlog = inbox.unanswered();
  await client.start();
  log.info('privacy bot started and syncing');
  // After start: with encryption on, sending needs the crypto engine, which start() prepares.
  track('telling the admins about the server', postServerNotes(deps.serverNotes));
  services.start();
  // Now answer the backlog, report what was given up without the admins hearing of it, and read the gaps left open.
  for (const entry of backlog) track('answering a command', answer(entry));
  for (const entry of inbox.failedUnreported()) track('reporting a command given up', reportGivenUp(giveUpDeps, entry));
  gapFiller.wake();

  return {
    get adminRoomId() {
      return adminRoomId;
    },
    services,
    exports,
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
      await services.stop();
      await Promise.allSettled([...pending]);
    },
  };
}
