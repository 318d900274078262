// What the bot asks about a room for every command (who is in it, whether it is encrypted),
// remembered between commands. The sync keeps it true: a membership event for a room drops
// what is known of its members, an encryption event marks it encrypted (which is never
// undone). Commands in a room are read after the events before them, so a room that has just
// stopped being a direct chat is never answered as one.
import type { Chat } from '../matrix/chat.ts';

export class RoomCache {
  readonly #chat: Chat;
  readonly #members = new Map<string, Promise<string[]>>();
  readonly #encrypted = new Map<string, Promise<boolean>>();

  constructor(chat: Chat) {
    this.#chat = chat;
  }

  members(roomId: string): Promise<string[]> {
    return this.#remember(this.#members, roomId, () => this.#chat.joinedMembers(roomId));
  }

  isEncrypted(roomId: string): Promise<boolean> {
    return this.#remember(this.#encrypted, roomId, () => this.#chat.isEncrypted(roomId));
  }

  /** A timeline event went by: forget what it may have changed. */
  saw(roomId: string, type: string): void {
    if (type === 'm.room.member') this.#members.delete(roomId);
    if (type === 'm.room.encryption') this.#encrypted.set(roomId, Promise.resolve(true));
  }

  #remember<T>(map: Map<string, Promise<T>>, roomId: string, read: () => Promise<T>): Promise<T> {
    const known = map.get(roomId);
    if (known !== undefined) return known;
    const reading = read();
    map.set(roomId, reading);
    // A failed read is not remembered: the next command asks again.
    reading.catch(() => map.get(roomId) === reading && map.delete(roomId));
    return reading;
  }
}
