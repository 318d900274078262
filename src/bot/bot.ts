// The bot's event handlers, in the order an event passes them: a Matrix event comes in
// (onTimelineEvent, onInvite), the inbox accepts it, the decision is made (answerFor:
// rate limit, routing, a command run), and the reply goes out through answering.ts, which
// sends each answer once. Nothing is built here: composition.ts builds the parts (BotParts)
// and subscribes these handlers to the client. The decisions themselves are pure and live
// beside this file: incoming.ts, routing.ts, rooms.ts, reactions.ts, rate-limit.ts,
// inbox-command.ts, replies.ts.
import { decisionReply } from '../commands/admin-erasure.ts';
import { type CommandContext, type Place, type Reply, replyDocument } from '../commands/command.ts';
import { commandText, type ParsedMessage, parseMessage } from '../commands/parse.ts';
import { COMMAND_NAMES, COMMANDS } from '../commands/registry.ts';
import type { CategoryId } from '../config/categories.ts';
import type { BotConfig } from '../config/load.ts';
import type { ErasureDesk } from '../erasure/erasure-desk.ts';
import { REACTION_DENIAL_REASON, reactionDenialFollowUp } from '../erasure/messages.ts';
import type { ExportDesk } from '../export/lifecycle/export-desk.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import type { JobStore } from '../jobs/job-store.ts';
import type { Logger } from '../log.ts';
import type { Chat } from '../matrix/chat.ts';
import type { Notifier } from '../notify/notifier.ts';
import { render } from '../render/render.ts';
import type { RequestDesk } from '../requests/desk.ts';
import type { Inbox, InboxEntry } from '../store/inbox.ts';
import type { Composed } from './answering.ts';
import type { Background } from './background.ts';
import { inboxCommand } from './inbox-command.ts';
import { classifyIncoming, RoomEvent } from './incoming.ts';
import type { JobMessages } from './job-messages.ts';
import type { RateLimiter } from './rate-limit.ts';
import { parseReactionCommand, type ReactionDecision, reactionCommand, reactionDecision } from './reactions.ts';
import * as replies from './replies.ts';
import type { RoomCache } from './room-cache.ts';
import { inviteDecision, isLeftAlone } from './rooms.ts';
import { type Route, route } from './routing.ts';
import type { BotState } from './state.ts';
import { unexpectedErrorForLog } from './unexpected-error.ts';

/** What the handlers work with; built by composition.ts. */
export type BotParts = {
  config: BotConfig;
  log: Logger;
  now: () => number;
  /** When the bot first started: older events are history, not commands. */
  notBefore: number;
  /** Whether the bot encrypts (an engine loaded, it is allowed, and its store is open). */
  encryption: boolean;
  /** Whether the bot can encrypt for this person (one of their devices published keys). */
  canEncryptFor: (userId: string) => Promise<boolean>;
  state: BotState;
  chat: Chat;
  rooms: RoomCache;
  inbox: Inbox;
  rateLimiter: RateLimiter;
  background: Background;
  homeserver: Homeserver;
  desk: RequestDesk;
  erasure: ErasureDesk;
  exports: ExportDesk;
  notifier: Notifier;
  jobStore: JobStore;
  jobMessages: JobMessages;
  reportPolicyDiscrepancies: (categories: CategoryId[]) => Promise<void>;
};

/** The parts, and how an accepted command gets answered (answering.ts, which calls answerFor). */
export type ListeningBot = BotParts & { answer: (entry: InboxEntry) => Promise<void> };

/** Commands that answer faster than this show no typing notification. */
const TYPING_AFTER_MS = 300;

/** An encrypted room is told at most once a day, unprompted, that the bot cannot read it. */
const ENCRYPTED_NOTICE_INTERVAL_MS = 24 * 60 * 60 * 1000;

// ---- 1. Event in ----

/** Every timeline event, from a sync (decrypted where possible) or from a gap in one. */
export function onTimelineEvent(bot: ListeningBot, roomId: string, raw: unknown): void {
  const event = RoomEvent.safeParse(raw).data;
  if (bot.state.stopped || event === undefined) return;
  bot.rooms.saw(roomId, event.type);
  if (event.type === 'm.room.message' || event.type === 'm.room.encrypted') onMessage(bot, roomId, event);
  if (event.type === 'm.reaction' && roomId === bot.state.adminRoomId) onReaction(bot, roomId, raw);
  if (event.type === 'm.room.member') bot.background.track('leaving an empty room', onMemberChange(bot, roomId, event));
}

/** An invite: joined when it comes from this server, declined with a reason the inviter sees otherwise. */
export function onInvite(bot: ListeningBot, roomId: string, raw: unknown): void {
  const inviter = RoomEvent.safeParse(raw).data?.sender;
  if (!bot.state.stopped && inviter !== undefined) bot.background.track('answering an invite', joinOrDecline(bot, roomId, inviter));
}

function onMessage(bot: ListeningBot, roomId: string, raw: unknown): void {
  const { state, inbox, now } = bot;
  if (state.stopped) return; // a sync that was in flight when we stopped: the next run gets it again
  const incoming = classifyIncoming(raw, { botUserId: bot.config.bot.userId, notBefore: bot.notBefore });
  if (incoming.kind === 'encrypted') {
    // With encryption on, the SDK decrypts what it can and hands over the decrypted event.
    if (!bot.encryption) bot.background.track('sending the encryption notice', noticeUnreadableRoom(bot, roomId));
    return;
  }
  if (incoming.kind !== 'message') return;
  const parsed = parse(bot, incoming.body);
  if (parsed.kind === 'none') return;
  // Only the command and the arguments it takes are kept, capped, never the rest of the message.
  const entry = { eventId: incoming.event.event_id, roomId, sender: incoming.event.sender, command: inboxCommand(parsed, COMMANDS), receivedAt: now() };
  // Synchronous, before the SDK saves its sync position: see store/inbox.ts.
  if (!inbox.accept(entry)) return;
  if (parsed.kind === 'command' && COMMANDS.find((c) => c.name === parsed.name)?.takesText) state.liveBodies.set(entry.eventId, incoming.body);
  bot.background.track('answering a command', bot.answer(entry));
}

/** ✅ or ❌ in the admin room: accepted like a command, decided in decideByReaction. */
function onReaction(bot: ListeningBot, roomId: string, raw: unknown): void {
  const reaction = reactionDecision(raw, { botUserId: bot.config.bot.userId, notBefore: bot.notBefore });
  if (reaction === null) return;
  const entry = { eventId: reaction.eventId, roomId, sender: reaction.sender, command: reactionCommand(reaction), receivedAt: bot.now() };
  if (bot.inbox.accept(entry)) bot.background.track('deciding by reaction', bot.answer(entry));
}

/** Someone left: the bot leaves a room where it is left alone, except the rooms it serves in. */
async function onMemberChange(bot: ListeningBot, roomId: string, event: RoomEvent): Promise<void> {
  const membership = event.content['membership'];
  if (bot.state.serves(roomId) || (membership !== 'leave' && membership !== 'ban')) return;
  if (isLeftAlone(await bot.rooms.members(roomId), bot.config.bot.userId)) await bot.chat.leave(roomId, 'Everyone else has left');
}

async function joinOrDecline(bot: ListeningBot, roomId: string, inviter: string): Promise<void> {
  const decision = inviteDecision(inviter, bot.config.homeserver.serverName);
  // A decline's reason is shown to the inviter by their client.
  await (decision.kind === 'join' ? bot.chat.join(roomId) : bot.chat.leave(roomId, decision.reason));
}

/** Garbage typed m.room.encrypted can arrive anywhere: only a really encrypted room hears that the bot cannot read it. */
async function noticeUnreadableRoom(bot: ListeningBot, roomId: string): Promise<void> {
  const { state, now } = bot;
  if (now() - (state.unreadableNoticeAt.get(roomId) ?? 0) < ENCRYPTED_NOTICE_INTERVAL_MS) return;
  state.unreadableNoticeAt.set(roomId, now());
  if (!(await bot.chat.isEncrypted(roomId))) return;
  const day = Math.floor(now() / ENCRYPTED_NOTICE_INTERVAL_MS);
  await bot.chat.sendNotice(roomId, render(replies.encryptedRoomNotice(bot.config.bot.userId)), { key: `encrypted-room-notice:${day}` });
}

// ---- 2. Decision ----

/** The answer to an accepted command (or reaction): what to send, or null for none. Called by answering.ts. */
export async function answerFor(bot: BotParts, entry: InboxEntry): Promise<Composed | null> {
  const reaction = parseReactionCommand(entry.command);
  if (reaction !== null) return decideByReaction(bot, entry, reaction);
  const parsed = parse(bot, entry.command);
  if (parsed.kind !== 'none') {
    const limit = bot.rateLimiter.take(entry.sender, bot.now());
    if (limit.kind === 'refuse') {
      if (!limit.tell) return null;
      bot.log.warn(`rate limit (${limit.scope}) reached by ${entry.sender}: further commands this minute are not answered`);
      return { document: replies.rateLimited(limit.retryAfterMs, limit.scope, bot.config.rateLimits.perUserPerMinute) };
    }
  }
  const { route: decision, place } = await routeFor(bot, entry, parsed);
  switch (decision.kind) {
    case 'silent':
      return null;
    case 'refuse':
      bot.log.warn(`refused ${decision.why}: ${entry.sender}`);
      return { document: decision.document };
    case 'reply':
      return { document: decision.document, unencrypted: decision.unencrypted === true };
    case 'run': {
      const reply = await runCommand(bot, decision, entry, place);
      bot.state.liveBodies.delete(entry.eventId);
      if (Array.isArray(reply)) return { document: reply };
      const sent = (eventId: string) => bot.background.track('showing a job’s progress', bot.jobMessages.progressMessageSent(reply.progressOf, eventId));
      return { document: replyDocument(reply), sent };
    }
  }
}

/** The facts about the room and the sender that routing.ts decides on. */
async function routeFor(bot: BotParts, entry: InboxEntry, parsed: ParsedMessage): Promise<{ route: Route; place: Place }> {
  if (parsed.kind === 'none') return { route: { kind: 'silent' }, place: 'group' };
  const place = await placeOf(bot, entry.roomId, entry.sender);
  const encrypted = await bot.rooms.isEncrypted(entry.roomId);
  const unreadable = encrypted && !bot.encryption;
  // End-to-end encryption: an answer encrypted for someone without keys would be unreadable to them.
  const undecryptable = encrypted && bot.encryption && !(await bot.canEncryptFor(entry.sender));
  const senderIsAdmin = place === 'admin' && (await isListedAdmin(bot, entry.sender));
  return { route: route(parsed, entry.sender, { place, unreadable, undecryptable, senderIsAdmin }, COMMANDS, bot.config), place };
}

async function placeOf(bot: BotParts, roomId: string, sender: string): Promise<Place> {
  if (roomId === bot.state.adminRoomId) return 'admin';
  if (roomId === bot.state.contactRoomId) return 'privacy-contact';
  const members = await bot.rooms.members(roomId);
  return members.length === 2 && members.includes(sender) && members.includes(bot.config.bot.userId) ? 'direct' : 'group';
}

/** An admin is listed in the config and joined to the admin room now. */
async function isListedAdmin(bot: BotParts, userId: string): Promise<boolean> {
  const adminRoomId = bot.state.adminRoomId;
  return adminRoomId !== null && bot.config.admins.includes(userId) && (await bot.rooms.members(adminRoomId)).includes(userId);
}

/** ✅ or ❌ from an admin on an erasure's approval message; a retry changes nothing twice. Answered in a thread on that message. */
async function decideByReaction(bot: BotParts, entry: InboxEntry, reaction: Pick<ReactionDecision, 'decision' | 'target'>): Promise<Composed | null> {
  const request = bot.erasure.byApprovalEvent(reaction.target);
  if (request === null || bot.state.adminRoomId === null) return null;
  if (!(await isListedAdmin(bot, entry.sender))) {
    bot.log.warn(`refused a decision by reaction from someone who is not a listed admin: ${entry.sender}`);
    return { document: replies.notAnAdmin(reaction.decision), replyTo: reaction.target };
  }
  const outcome =
    reaction.decision === 'approve'
      ? await bot.erasure.approve(request.id, entry.sender)
      : await bot.erasure.deny(request.id, entry.sender, REACTION_DENIAL_REASON);
  if (outcome.kind === 'denied') await bot.notifier.toPrivacyContact(reactionDenialFollowUp(outcome.request), `reaction-denial:${request.id}`);
  return { document: decisionReply(outcome), replyTo: reaction.target };
}

// ---- 3. A command run, its reply out ----

/** Runs a routed command; a failure becomes a plain answer (and a log line for the operator). Typing shows while it takes a moment. */
async function runCommand(bot: BotParts, decision: Extract<Route, { kind: 'run' }>, entry: InboxEntry, place: Place): Promise<Reply> {
  const { command, args } = decision;
  // Typing shows only for answers that take a moment: a quick one needs no two extra requests.
  let typing = false;
  const showTyping = setTimeout(() => {
    typing = true;
    void bot.chat.setTyping(entry.roomId, true);
  }, TYPING_AFTER_MS);
  let reply: Reply | null = null;
  try {
    reply = await command.run(contextFor(bot, entry, place, command.keptWords), args);
    return reply;
  } catch (error) {
    if (error instanceof HomeserverError) {
      // The full message names the endpoint and the server: for the operator, not the user.
      bot.log.warn(`!${command.name} failed: ${error.message}`);
      return error.kind === 'unsupported' ? replies.notAvailableHere(bot.config) : replies.homeserverTrouble(bot.config, error.kind);
    }
    // Where it was thrown, for a bug report; never the message, which can carry what the user wrote.
    bot.log.error(`!${command.name} failed: ${unexpectedErrorForLog(error)}`);
    return replies.internalTrouble(bot.config);
  } finally {
    clearTimeout(showTyping);
    // A job that edits its progress into the answer keeps typing up while it runs, and ends it.
    const job = reply === null || Array.isArray(reply) ? null : bot.jobStore.get(reply.progressOf);
    if (typing && job?.state !== 'running') await bot.chat.setTyping(entry.roomId, false);
  }
}

function contextFor(bot: BotParts, entry: InboxEntry, place: Place, keptWords: number): CommandContext {
  const { config, homeserver, desk, erasure, exports, now, reportPolicyDiscrepancies } = bot;
  const base = { sender: entry.sender, roomId: entry.roomId, eventId: entry.eventId, place };
  return { ...base, config, homeserver, desk, erasure, exports, now, reportPolicyDiscrepancies, commands: COMMANDS, text: textOf(bot, entry, keptWords) };
}

/** The message's free text after the command's words: from memory while live, else read again from the server. */
const textOf = (bot: BotParts, entry: InboxEntry, keptWords: number) => async (): Promise<string> => {
  const body = bot.state.liveBodies.get(entry.eventId) ?? (await bot.chat.messageBody(entry.roomId, entry.eventId)) ?? '';
  return commandText(body, { userId: bot.config.bot.userId, displayName: bot.state.displayName }, keptWords);
};

const parse = (bot: BotParts, body: string): ParsedMessage =>
  parseMessage(body, { userId: bot.config.bot.userId, displayName: bot.state.displayName }, COMMAND_NAMES);
