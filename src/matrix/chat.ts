// The bot's chat side of the homeserver: the few client-server calls it makes,
// behind one small interface over matrix-bot-sdk's MatrixClient.
import type { MatrixClient } from 'matrix-bot-sdk';
import { z } from 'zod';
import type { Rendered } from '../render/document.ts';
import { retrying, SendError, sendOnce, transactionIdFor } from './send-once.ts';

export interface Chat {
  readonly userId: string;
  /**
   * Sends an m.notice (plain body + HTML), threaded as a reply when `replyTo` is given.
   * `key` names this one message (e.g. "reply:" + the command's event ID): sending the
   * same key into the same room again, after a retry or a crash, sends nothing new.
   * Throws a SendError (send-once.ts).
   */
  sendNotice(roomId: string, message: Rendered, options: { key: string; replyTo?: string }): Promise<string>;
  /**
   * Whether the bot already sent, after `eventId`, a reply to it or the message `key`
   * names: how a resend is avoided once the server has forgotten the transaction.
   */
  hasSentAfter(roomId: string, eventId: string, key: string): Promise<boolean>;
  /** Like sendNotice, but never encrypted, even in an encrypted room: only for notices without personal data. */
  sendUnencryptedNotice(roomId: string, message: Rendered, options: { key: string; replyTo?: string }): Promise<string>;
  /**
   * Sends an m.room.message with this content (a file, say) once under `key`. With
   * `mustEncrypt`, throws a CannotEncryptError rather than send it in the clear.
   */
  sendMessage(roomId: string, content: Record<string, unknown>, options: { key: string; mustEncrypt?: boolean }): Promise<string>;
  /** Replaces the text of a notice the bot sent (m.replace, as clients show edits); `key` names this edit. */
  editNotice(roomId: string, eventId: string, message: Rendered, key: string): Promise<void>;
  /** The body of a text message, read again from the server (decrypted where needed); null if gone. */
  messageBody(roomId: string, eventId: string): Promise<string | null>;
  joinedMembers(roomId: string): Promise<string[]>;
  /** Everyone joined or invited: who can read what is posted now, or once they accept. */
  joinedOrInvited(roomId: string): Promise<string[]>;
  isEncrypted(roomId: string): Promise<boolean>;
  join(roomIdOrAlias: string): Promise<string>;
  leave(roomId: string, reason?: string): Promise<void>;
  /** Shows (or stops showing) that the bot is working on an answer. Best effort. */
  setTyping(roomId: string, typing: boolean): Promise<void>;
}

/** How far `hasSentAfter` looks: pages of 100 of the bot's own events after the command. */
const LOOK_FOR_EARLIER_SENDS_PAGES = 5;

const EventContext = z.object({ end: z.string().optional() });
const SentEvents = z.object({
  chunk: z.array(z.object({ content: z.unknown(), unsigned: z.object({ transaction_id: z.unknown() }).loose().optional() }).loose()),
  end: z.string().optional(),
});

const RichReply = z.object({ 'm.relates_to': z.object({ 'm.in_reply_to': z.object({ event_id: z.string() }) }) });

/** The event a message replies to, if it is a rich reply. */
export const inReplyTo = (content: unknown): string | null => RichReply.safeParse(content).data?.['m.relates_to']['m.in_reply_to'].event_id ?? null;

/** A slow answer (counting a long history) keeps the indicator up to this long. */
const TYPING_TIMEOUT_MS = 120_000;

/** Typing notices expire (TYPING_TIMEOUT_MS): renewed well before. */
const TYPING_RENEW_MS = 60_000;

/** Shows typing in the room until the returned function is called (a job at work). */
export function keepTyping(chat: Chat, roomId: string): () => Promise<void> {
  void chat.setTyping(roomId, true);
  const timer = setInterval(() => void chat.setTyping(roomId, true), TYPING_RENEW_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await chat.setTyping(roomId, false);
  };
}

export function noticeContent(message: Rendered, replyTo?: string): Record<string, unknown> {
  return {
    msgtype: 'm.notice',
    body: message.text,
    format: 'org.matrix.custom.html',
    formatted_body: message.html,
    // A rich reply without the quoted fallback: quoting would copy the user's words.
    ...(replyTo === undefined ? {} : { 'm.relates_to': { 'm.in_reply_to': { event_id: replyTo } } }),
  };
}

/** The fallback of an edit too large to carry its text twice. */
export const EDIT_FALLBACK = '* (this message was updated; open it in an app that shows edits to read the new version)';

/**
 * An edit of a notice: m.new_content for current clients, and `* new text` for old ones;
 * `compact`, for a text too large to go twice into one event, gives old clients a short note.
 */
export function editContent(message: Rendered, eventId: string, compact = false): Record<string, unknown> {
  const notice = noticeContent(message);
  const relation = { rel_type: 'm.replace', event_id: eventId };
  if (compact) return { msgtype: 'm.notice', body: EDIT_FALLBACK, 'm.new_content': notice, 'm.relates_to': relation };
  return { ...notice, body: `* ${message.text}`, 'm.new_content': notice, 'm.relates_to': relation };
}

/** From the room's state (not a cache): whether the room has end-to-end encryption. */
export async function isRoomEncrypted(client: MatrixClient, roomId: string): Promise<boolean> {
  try {
    await client.getRoomStateEvent(roomId, 'm.room.encryption', '');
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

export function chatOver(client: MatrixClient, userId: string): Chat {
  return {
    userId,
    sendNotice: (roomId, message, { key, replyTo }) => sendOnce(client, roomId, 'm.room.message', noticeContent(message, replyTo), key),
    hasSentAfter: async (roomId, eventId, key) => {
      const room = encodeURIComponent(roomId);
      const context = EventContext.parse(
        await client.doRequest('GET', `/_matrix/client/v3/rooms/${room}/context/${encodeURIComponent(eventId)}`, { limit: 0 }),
      );
      const txnId = transactionIdFor(roomId, key);
      const filter = JSON.stringify({ senders: [userId], types: ['m.room.message', 'm.room.encrypted'] });
      let from = context.end;
      for (let page = 0; page < LOOK_FOR_EARLIER_SENDS_PAGES && from !== undefined; page++) {
        const found = SentEvents.parse(await client.doRequest('GET', `/_matrix/client/v3/rooms/${room}/messages`, { dir: 'f', from, limit: 100, filter }));
        // m.relates_to stays readable in encrypted events; transaction_id is shown to the sending device.
        if (found.chunk.some((ev) => inReplyTo(ev.content) === eventId || ev.unsigned?.transaction_id === txnId)) return true;
        from = found.end === from ? undefined : found.end;
      }
      return false;
    },
    sendUnencryptedNotice: (roomId, message, { key, replyTo }) =>
      sendOnce(client, roomId, 'm.room.message', noticeContent(message, replyTo), key, { encrypt: false }),
    sendMessage: (roomId, content, { key, mustEncrypt }) =>
      sendOnce(client, roomId, 'm.room.message', content, key, mustEncrypt ? { encrypt: 'required' } : {}),
    editNotice: async (roomId, eventId, message, key) => {
      try {
        await sendOnce(client, roomId, 'm.room.message', editContent(message, eventId), key);
      } catch (error) {
        // Too large (encrypted, perhaps) with the text twice: nothing was sent, so the same key carries the compact edit.
        if (!(error instanceof SendError) || error.failure.kind !== 'too-large') throw error;
        await sendOnce(client, roomId, 'm.room.message', editContent(message, eventId, true), key);
      }
    },
    messageBody: async (roomId, eventId) => {
      try {
        const event = (await client.getEvent(roomId, eventId)) as { content?: { body?: unknown } };
        return typeof event.content?.body === 'string' ? event.content.body : null;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
    },
    joinedMembers: (roomId) => client.getJoinedRoomMembers(roomId),
    joinedOrInvited: async (roomId) =>
      (await client.getRoomMembers(roomId)).filter((m) => m.membership === 'join' || m.membership === 'invite').map((m) => m.membershipFor),
    isEncrypted: (roomId) => isRoomEncrypted(client, roomId),
    // Joining and leaving again changes nothing: safe to retry, as a busy bot must (see retrying).
    join: (roomIdOrAlias) => retrying(() => client.joinRoom(roomIdOrAlias)),
    leave: async (roomId, reason) => {
      await retrying(() => client.leaveRoom(roomId, reason));
    },
    setTyping: async (roomId, typing) => {
      await client.setTyping(roomId, typing, typing ? TYPING_TIMEOUT_MS : undefined).catch(() => {});
    },
  };
}
