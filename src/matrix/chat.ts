// The bot's chat side of the homeserver: the few client-server calls it makes,
// behind one small interface over matrix-bot-sdk's MatrixClient.
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Rendered } from '../render/document.ts';

export interface Chat {
  readonly userId: string;
  /** Sends an m.notice (plain body + HTML), threaded as a reply when `replyTo` is given. */
  sendNotice(roomId: string, message: Rendered, replyTo?: string): Promise<string>;
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

export function chatOver(client: MatrixClient, userId: string): Chat {
  return {
    userId,
    sendNotice: (roomId, message, replyTo) => client.sendMessage(roomId, noticeContent(message, replyTo)),
    joinedMembers: (roomId) => client.getJoinedRoomMembers(roomId),
    isEncrypted: async (roomId) => {
      try {
        await client.getRoomStateEvent(roomId, 'm.room.encryption', '');
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw error;
      }
    },
    join: (roomIdOrAlias) => client.joinRoom(roomIdOrAlias),
    leave: async (roomId, reason) => {
      await client.leaveRoom(roomId, reason);
    },
    setTyping: async (roomId, typing) => {
      await client.setTyping(roomId, typing, typing ? TYPING_TIMEOUT_MS : undefined).catch(() => {});
    },
  };
}
