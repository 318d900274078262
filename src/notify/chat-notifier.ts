// The Notifier over Matrix: the requester's direct chat, the admin room and the privacy
// contact room, each message sent once under its key (send-once.ts). The rooms are known
// only once the bot has joined them, so they are asked for at each message.
import type { Logger } from '../log.ts';
import type { Chat } from '../matrix/chat.ts';
import { render } from '../render/render.ts';
import type { Notifier } from './notifier.ts';

export type NotifiedRooms = { admin(): string | null; privacyContact(): string | null };

export function chatNotifier(chat: Chat, rooms: NotifiedRooms, log: Logger): Notifier {
  return {
    toRequester: async (roomId, document, key) => void (await chat.sendNotice(roomId, render(document), { key })),
    toAdmins: async (document, key) => {
      const roomId = rooms.admin();
      if (roomId === null) {
        log.warn('no admin room joined: an admin notice could not be delivered');
        return null;
      }
      return chat.sendNotice(roomId, render(document), { key });
    },
    toPrivacyContact: async (document, key) => {
      const roomId = rooms.privacyContact();
      if (roomId === null) return log.warn('no privacy contact room joined: a message for the privacy contact could not be delivered');
      await chat.sendNotice(roomId, render(document), { key });
    },
  };
}
