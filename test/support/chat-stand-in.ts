// The Matrix side of the command harness (command-harness.ts): rooms with their members, the
// messages people send, and everything the bot sends, in memory and at the Chat interface
// (src/matrix/chat.ts), with its promise kept: a key names one message, sent once.
import type { Chat } from '../../src/matrix/chat.ts';
import type { Rendered } from '../../src/render/document.ts';

export type SentMessage = {
  roomId: string;
  eventId: string;
  key: string;
  text: string;
  html: string;
  /** The event it replies to (threaded), if any. */
  replyTo: string | null;
  /** Sent in the clear even in an encrypted room. */
  unencrypted: boolean;
  /** What edits made of it, newest last. */
  edits: string[];
};

type Room = { members: string[]; invited: string[]; encrypted: boolean; aliases: string[] };

export class ChatStandIn implements Chat {
  readonly userId: string;
  readonly sent: SentMessage[] = [];
  readonly left: Array<{ roomId: string; reason: string | undefined }> = [];
  readonly typing: Array<{ roomId: string; typing: boolean }> = [];
  readonly #rooms = new Map<string, Room>();
  readonly #bodies = new Map<string, string>();
  #next = 0;

  constructor(userId: string) {
    this.userId = userId;
    // The bot calls these as plain functions (as chatOver's are): bound once here.
    for (const name of Object.getOwnPropertyNames(ChatStandIn.prototype)) {
      const member: unknown = Reflect.get(this, name);
      if (name !== 'constructor' && typeof member === 'function') Reflect.set(this, name, member.bind(this));
    }
  }

  /** A room with these members (the bot among them where it should be), under these aliases. */
  addRoom(roomId: string, members: string[], options: { encrypted?: boolean; aliases?: string[]; invited?: string[] } = {}): string {
    this.#rooms.set(roomId, { members: [...members], invited: options.invited ?? [], encrypted: options.encrypted ?? false, aliases: options.aliases ?? [] });
    return roomId;
  }

  /** Someone joins a room. */
  joinRoom(roomId: string, userId: string): void {
    this.#room(roomId).members.push(userId);
  }

  /** A message someone sent: its event ID, and its body kept for messageBody. */
  receive(body: string): string {
    const eventId = `$event${++this.#next}`;
    this.#bodies.set(eventId, body);
    return eventId;
  }

  /** What the bot sent into a room, in order. */
  sentTo(roomId: string): SentMessage[] {
    return this.sent.filter((m) => m.roomId === roomId);
  }

  async sendNotice(roomId: string, message: Rendered, options: { key: string; replyTo?: string }): Promise<string> {
    return this.#send(roomId, message, options, false);
  }

  async sendUnencryptedNotice(roomId: string, message: Rendered, options: { key: string; replyTo?: string }): Promise<string> {
    return this.#send(roomId, message, options, true);
  }

  async sendMessage(roomId: string, content: Record<string, unknown>, options: { key: string }): Promise<string> {
    return this.#send(roomId, { text: String(content['body'] ?? ''), html: '' }, options, false);
  }

  async hasSentAfter(roomId: string, eventId: string, key: string): Promise<boolean> {
    return this.sent.some((m) => m.roomId === roomId && (m.key === key || m.replyTo === eventId));
  }

  async editNotice(roomId: string, eventId: string, message: Rendered): Promise<void> {
    const original = this.sent.find((m) => m.roomId === roomId && m.eventId === eventId);
    if (original === undefined) throw new Error(`no message ${eventId} in ${roomId} to edit`);
    original.edits.push(message.text);
  }

  async messageBody(_roomId: string, eventId: string): Promise<string | null> {
    return this.#bodies.get(eventId) ?? null;
  }

  async joinedMembers(roomId: string): Promise<string[]> {
    return [...this.#room(roomId).members];
  }

  async joinedOrInvited(roomId: string): Promise<string[]> {
    const room = this.#room(roomId);
    return [...room.members, ...room.invited];
  }

  async isEncrypted(roomId: string): Promise<boolean> {
    return this.#room(roomId).encrypted;
  }

  async join(roomIdOrAlias: string): Promise<string> {
    for (const [roomId, room] of this.#rooms) if (roomId === roomIdOrAlias || room.aliases.includes(roomIdOrAlias)) return roomId;
    throw new Error(`no room ${roomIdOrAlias}`);
  }

  async leave(roomId: string, reason?: string): Promise<void> {
    this.left.push({ roomId, reason });
  }

  async setTyping(roomId: string, typing: boolean): Promise<void> {
    this.typing.push({ roomId, typing });
  }

  #room(roomId: string): Room {
    const room = this.#rooms.get(roomId);
    if (room === undefined) throw new Error(`the bot is not in ${roomId}`);
    return room;
  }

  #send(roomId: string, message: Rendered, options: { key: string; replyTo?: string }, unencrypted: boolean): string {
    this.#room(roomId);
    const again = this.sent.find((m) => m.roomId === roomId && m.key === options.key);
    if (again !== undefined) return again.eventId;
    const eventId = `$bot${++this.#next}`;
    this.sent.push({ roomId, eventId, key: options.key, text: message.text, html: message.html, replyTo: options.replyTo ?? null, unencrypted, edits: [] });
    return eventId;
  }
}
