// A person's Matrix client for the real-server tier, in plain client-server API calls over
// HTTP: what Element sends when someone opens a chat, writes, reacts, uploads, leaves. It
// reads the bot's answers back from the room's history, as a person scrolling would.
import { PersonClient } from '../../support/person-client.ts';
import type { Account, RealSynapse } from './synapse.ts';

export type RoomEvent = {
  event_id: string;
  type: string;
  sender: string;
  state_key?: string;
  content: Record<string, any>;
  origin_server_ts: number;
  unsigned?: Record<string, any>;
};

const enc = encodeURIComponent;

export class RealClient extends PersonClient {
  /** For a second device of this person's (E2eeUser.logIn). */
  readonly password: string;
  readonly #synapse: RealSynapse;

  constructor(synapse: RealSynapse, account: Account) {
    super(synapse, account);
    this.#synapse = synapse;
    this.password = account.password;
  }

  async upload(bytes: Buffer, contentType: string, fileName: string): Promise<string> {
    const response = await fetch(`${this.#synapse.url}/_matrix/media/v3/upload?filename=${enc(fileName)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.accessToken}`, 'Content-Type': contentType },
      body: bytes,
    });
    const answer = (await response.json()) as any;
    if (!response.ok) throw new Error(`upload: ${response.status} ${JSON.stringify(answer)}`);
    return answer.content_uri;
  }

  /** The room's events, oldest first, as this person may read them (the newest `limit`). */
  async history(roomId: string, limit = 200): Promise<RoomEvent[]> {
    const answer = await this.ok('GET', `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=${limit}`);
    return (answer.chunk as RoomEvent[]).reverse();
  }

  /** Waits until an event in the room matches; the first that does. */
  async waitFor(roomId: string, matches: (event: RoomEvent) => boolean, what: string, timeoutMs = 30_000): Promise<RoomEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.history(roomId)).find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms in ${roomId} for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** The bot's threaded reply to an event of this person's. */
  replyTo(roomId: string, botUserId: string, eventId: string, timeoutMs?: number): Promise<RoomEvent> {
    return this.waitFor(
      roomId,
      (e) => e.sender === botUserId && e.content['m.relates_to']?.['m.in_reply_to']?.event_id === eventId,
      `the bot's reply to ${eventId}`,
      timeoutMs,
    );
  }

  /** Sends a command and waits for the bot's reply. */
  async ask(roomId: string, botUserId: string, body: string, timeoutMs?: number): Promise<RoomEvent> {
    return this.replyTo(roomId, botUserId, await this.say(roomId, body), timeoutMs);
  }
}
