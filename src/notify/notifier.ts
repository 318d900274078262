// Where the bot's own messages go: the requester's direct chat, the admin room, the
// privacy contact (room, and mail where configured). Every message has a key: sending
// the same key again (after a crash, a retry) never makes a second message.
import type { Document } from '../render/document.ts';

export type Notifier = {
  toRequester(roomId: string, document: Document, key: string): Promise<void>;
  /** Resolves with the message's event ID (reactions to it may decide), or null when there is no admin room. */
  toAdmins(document: Document, key: string): Promise<string | null>;
  /**
   * The privacy contact room, and a mail where mail is configured. The mail's body is given
   * separately because it waits in the outbox: it must never carry a requester's words.
   */
  toPrivacyContact(document: Document, key: string, mail?: { subject: string; body: string }): Promise<void>;
};
