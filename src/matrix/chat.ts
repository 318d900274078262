// The bot's chat side of the homeserver: the few client-server calls it makes,
// behind one small interface over matrix-bot-sdk's MatrixClient.
import { createHash } from 'node:crypto';
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Rendered } from '../render/document.ts';

export interface Chat {
  readonly userId: string;
  /** Like sendNotice, but never encrypted, even in an encrypted room: only for notices without personal data. */
  sendUnencryptedNotice(roomId: string, message: Rendered, replyTo?: string): Promise<string>;
  /**
   * Sends an m.notice (plain body + HTML), threaded as a reply when `replyTo` is given. With a
   * `key`, the transaction ID derives from it: sending the same key again returns the first event.
   */
  sendNotice(roomId: string, message: Rendered, replyTo?: string, key?: string): Promise<string>;
  /** Replaces the text of a notice the bot sent (m.replace, as clients show edits). */
  editNotice(roomId: string, eventId: string, message: Rendered, key: string): Promise<void>;
  /** The body of a text message, read again from the server (decrypted where needed); null if gone. */
  messageBody(roomId: string, eventId: string): Promise<string | null>;
  joinedMembers(roomId: string): Promise<string[]>;
  isEncrypted(roomId: string): Promise<boolean>;
  join(roomIdOrAlias: string): Promise<string>;
  leave(roomId: string, reason?: string): Promise<void>;
  /** Shows (or stops showing) that the bot is working on an answer. Best effort. */
  setTyping(roomId: string, typing: boolean): Promise<void>;
}

/** A slow answer (counting a long history) keeps the indicator up to this long. */
const TYPING_TIMEOUT_MS = 120_000;

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

/** A transaction ID that is a function of `key`: the server answers a repeat with the first event. */
export const txnIdFor = (key: string): string => `dsar-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;

export function editContent(message: Rendered, eventId: string): Record<string, unknown> {
  const notice = noticeContent(message);
  return { ...notice, body: `* ${message.text}`, 'm.new_content': notice, 'm.relates_to': { rel_type: 'm.replace', event_id: eventId } };
}

/** PUT /send with a chosen transaction ID, encrypted first where the room is (as the SDK's sendEvent does). */
async function sendWithTxn(client: MatrixClient, roomId: string, content: Record<string, unknown>, key: string): Promise<string> {
  let type = 'm.room.message';
  let body: unknown = content;
  if (client.crypto && (await client.crypto.isRoomEncrypted(roomId))) {
    body = await client.crypto.encryptRoomEvent(roomId, type, content);
    type = 'm.room.encrypted';
  }
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/${encodeURIComponent(txnIdFor(key))}`;
  const answer = (await client.doRequest('PUT', path, null, body)) as { event_id: string };
  return answer.event_id;
}

/** Sending is retried only on 429, which means the server did not take the event: no duplicates. */
const MAX_RATE_LIMIT_RETRIES = 5;
const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/** How long a 429 from matrix-bot-sdk asks us to wait; null for any other error. */
export function rateLimitWait(error: unknown): number | null {
  const { statusCode, retryAfterMs } = (error ?? {}) as { statusCode?: unknown; retryAfterMs?: unknown };
  if (statusCode !== 429) return null;
  return Math.min(typeof retryAfterMs === 'number' && retryAfterMs >= 0 ? retryAfterMs : 1000, MAX_RATE_LIMIT_WAIT_MS);
}

async function retryingRateLimits<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const wait = rateLimitWait(error);
      if (wait === null || attempt >= MAX_RATE_LIMIT_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
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
    sendUnencryptedNotice: (roomId, message, replyTo) => retryingRateLimits(() => client.sendRawEvent(roomId, 'm.room.message', noticeContent(message, replyTo))),
    sendNotice: (roomId, message, replyTo, key) =>
      retryingRateLimits(() => (key === undefined ? client.sendMessage(roomId, noticeContent(message, replyTo)) : sendWithTxn(client, roomId, noticeContent(message, replyTo), key))),
    editNotice: async (roomId, eventId, message, key) => {
      await retryingRateLimits(() => sendWithTxn(client, roomId, editContent(message, eventId), key));
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
    isEncrypted: (roomId) => isRoomEncrypted(client, roomId),
    join: (roomIdOrAlias) => client.joinRoom(roomIdOrAlias),
    leave: async (roomId, reason) => {
      await client.leaveRoom(roomId, reason);
    },
    setTyping: async (roomId, typing) => {
      await client.setTyping(roomId, typing, typing ? TYPING_TIMEOUT_MS : undefined).catch(() => {});
    },
  };
}
