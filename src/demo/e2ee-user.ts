// A person with an end-to-end encrypting client, for tests: a real OlmMachine of
// @matrix-org/matrix-sdk-crypto-wasm (keys in memory) driven over real HTTP, like a
// small Element, against the test homeserver (E2eeUser.login) or any server where it
// logs in with a password (E2eeUser.logIn: a real Synapse). It uploads its keys, shares
// room keys with the bot's device, sends encrypted messages, and decrypts what it
// receives; nothing here pretends to decrypt.
import { createRequire } from 'node:module';
import type * as Wasm from '@matrix-org/matrix-sdk-crypto-wasm';
import type { TestHomeserver } from '../test-homeserver/index.ts';
import { downloadAsClient } from './download.ts';

const require = createRequire(import.meta.url);
const wasm = require('@matrix-org/matrix-sdk-crypto-wasm') as typeof Wasm;

// biome-ignore lint/suspicious/noExplicitAny: the server's raw answers, read the way a small client reads them (it is the demo's and the tests' person).
type Json = Record<string, any>;

/** A timeline event as this client saw it: decrypted when it was encrypted. */
export type SeenEvent = { roomId: string; eventId: string; sender: string; type: string; content: Json; encrypted: boolean };

/** A logged-in device on some homeserver. */
export type Session = { url: string; userId: string; accessToken: string; deviceId: string };

/** The `file` of an encrypted attachment (EncryptedFile in the spec). */
export type EncryptedFile = { url: string; key: Json; iv: string; hashes: Record<string, string>; v: string };

export class E2eeUser {
  readonly userId: string;
  readonly deviceId: string;
  readonly seen: SeenEvent[] = [];
  /** Events this client could not decrypt (from others, it must never happen in these tests). */
  readonly undecryptable: Array<{ roomId: string; eventId: string; sender: string; error: string }> = [];
  readonly #url: string;
  readonly #token: string;
  readonly #machine: Wasm.OlmMachine;
  #since: string | null = null;
  #txn = 0;

  private constructor(session: Session, machine: Wasm.OlmMachine) {
    this.#url = session.url;
    this.userId = session.userId;
    this.deviceId = session.deviceId;
    this.#token = session.accessToken;
    this.#machine = machine;
  }

  /** Logs in a new device of `userId` on the test homeserver, uploads its keys and syncs once. */
  static async login(hs: TestHomeserver, userId: string, deviceName = 'Element (test)'): Promise<E2eeUser> {
    const { accessToken, deviceId } = hs.model.login(userId, deviceName);
    return E2eeUser.start({ url: hs.url, userId, accessToken, deviceId });
  }

  /** Logs in a new device over HTTP (`POST /login` with a password), as a client does on any server; then as `start`. */
  static async logIn(url: string, credentials: { user: string; password: string }, deviceName = 'Element (test)'): Promise<E2eeUser> {
    const response = await fetch(`${url}/_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: credentials.user },
        password: credentials.password,
        initial_device_display_name: deviceName,
      }),
    });
    const answer = (await response.json()) as Json;
    if (!response.ok) throw new Error(`login: ${response.status} ${JSON.stringify(answer)}`);
    return E2eeUser.start({ url, userId: answer['user_id'], accessToken: answer['access_token'], deviceId: answer['device_id'] });
  }

  /** Takes over a logged-in device that has no keys yet: uploads its keys and syncs once. */
  static async start(session: Session): Promise<E2eeUser> {
    const machine = await wasm.OlmMachine.initialize(new wasm.UserId(session.userId), new wasm.DeviceId(session.deviceId));
    const user = new E2eeUser(session, machine);
    await user.sync();
    // What was said before this device existed stays unreadable to it, as in any client.
    user.seen.length = 0;
    user.undecryptable.length = 0;
    return user;
  }

  async #request(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await fetch(this.#url + path, {
      method,
      headers: { Authorization: `Bearer ${this.#token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as Json;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Sends what the machine wants sent (key uploads, queries, claims, to-device) and reports the answers. */
  async #sendOutgoing(): Promise<void> {
    for (const request of await this.#machine.outgoingRequests()) await this.#send(request);
  }

  async #send(request: Wasm.OutgoingRequest): Promise<void> {
    let answer: Json;
    if (request instanceof wasm.KeysUploadRequest) answer = await this.#request('POST', '/_matrix/client/v3/keys/upload', JSON.parse(request.body));
    else if (request instanceof wasm.KeysQueryRequest) answer = await this.#request('POST', '/_matrix/client/v3/keys/query', JSON.parse(request.body));
    else if (request instanceof wasm.KeysClaimRequest) answer = await this.#request('POST', '/_matrix/client/v3/keys/claim', JSON.parse(request.body));
    else if (request instanceof wasm.ToDeviceRequest) {
      const path = `/_matrix/client/v3/sendToDevice/${encodeURIComponent(request.event_type)}/${encodeURIComponent(request.txn_id)}`;
      answer = await this.#request('PUT', path, JSON.parse(request.body));
    } else throw new Error(`the test client does not send ${request.constructor.name}`);
    await this.#machine.markRequestAsSent(request.id!, request.type, JSON.stringify(answer));
  }

  /** One sync: to-device events and key counts to the machine, then timeline events (decrypted). */
  async sync(timeoutMs = 0): Promise<void> {
    const query = new URLSearchParams({ timeout: String(timeoutMs), ...(this.#since === null ? {} : { since: this.#since }) });
    const body = await this.#request('GET', `/_matrix/client/v3/sync?${query}`);
    const lists = new wasm.DeviceLists(
      ((body['device_lists']?.['changed'] ?? []) as string[]).map((u) => new wasm.UserId(u)),
      ((body['device_lists']?.['left'] ?? []) as string[]).map((u) => new wasm.UserId(u)),
    );
    await this.#machine.receiveSyncChanges(
      JSON.stringify(body['to_device']?.['events'] ?? []),
      lists,
      new Map(Object.entries((body['device_one_time_keys_count'] ?? {}) as Record<string, number>)),
      new Set((body['device_unused_fallback_key_types'] ?? []) as string[]),
    );
    await this.#sendOutgoing();
    for (const [roomId, room] of Object.entries((body['rooms']?.['join'] ?? {}) as Record<string, Json>)) {
      for (const event of (room['timeline']?.['events'] ?? []) as Json[]) await this.#see(roomId, event);
    }
    this.#since = body['next_batch'] as string;
  }

  async #see(roomId: string, event: Json): Promise<void> {
    if (event['type'] !== 'm.room.encrypted') {
      this.seen.push({ roomId, eventId: event['event_id'], sender: event['sender'], type: event['type'], content: event['content'], encrypted: false });
      return;
    }
    try {
      const decrypted = await this.#machine.decryptRoomEvent(
        JSON.stringify({ ...event, room_id: roomId }),
        new wasm.RoomId(roomId),
        new wasm.DecryptionSettings(wasm.TrustRequirement.Untrusted),
      );
      const clear = JSON.parse(decrypted.event) as Json;
      this.seen.push({ roomId, eventId: event['event_id'], sender: event['sender'], type: clear['type'], content: clear['content'], encrypted: true });
    } catch (error) {
      this.undecryptable.push({ roomId, eventId: event['event_id'], sender: event['sender'], error: String((error as Error).message ?? error) });
    }
  }

  /** Encrypts and sends an event, sharing the room key with every device in the room first. */
  async sendEncrypted(roomId: string, type: string, content: Json): Promise<string> {
    const joined = (await this.#request('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`))['joined'] as Json;
    const members = () => Object.keys(joined).map((u) => new wasm.UserId(u));
    await this.#machine.updateTrackedUsers(members());
    await this.#sendOutgoing(); // the key query
    const claim = await this.#machine.getMissingSessions(members());
    if (claim) await this.#send(claim);
    const settings = new wasm.EncryptionSettings();
    for (const request of await this.#machine.shareRoomKey(new wasm.RoomId(roomId), members(), settings)) await this.#send(request);
    const encrypted = await this.#machine.encryptRoomEvent(new wasm.RoomId(roomId), type, JSON.stringify(content));
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.encrypted/e2ee-user-${++this.#txn}-${Date.now()}`;
    return (await this.#request('PUT', path, JSON.parse(encrypted)))['event_id'] as string;
  }

  sendText(roomId: string, body: string): Promise<string> {
    return this.sendEncrypted(roomId, 'm.room.message', { msgtype: 'm.text', body });
  }

  /**
   * Syncs until an event matching `predicate` was seen; fails on any event from someone else it cannot
   * decrypt. (Its own other devices may not have shared their keys with it yet, as in real clients.)
   */
  async waitFor(predicate: (event: SeenEvent) => boolean, what: string, timeoutMs = 15_000): Promise<SeenEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.seen.find(predicate);
      if (found) return found;
      const fromOthers = this.undecryptable.filter((e) => e.sender !== this.userId);
      if (fromOthers.length > 0) throw new Error(`could not decrypt: ${JSON.stringify(fromOthers)}`);
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
      await this.sync(500);
    }
  }

  /** The bot's reply to an event (threaded with m.in_reply_to), decrypted. */
  replyTo(eventId: string, timeoutMs?: number): Promise<SeenEvent> {
    return this.waitFor((e) => e.content?.['m.relates_to']?.['m.in_reply_to']?.event_id === eventId, `the reply to ${eventId}`, timeoutMs);
  }

  /** The Megolm session keys this client holds (to check nobody else stores them in the clear). */
  async exportedSessionKeys(): Promise<string[]> {
    const exported = JSON.parse(await this.#machine.exportRoomKeys(() => true)) as Array<{ session_key: string }>;
    return exported.map((key) => key.session_key);
  }

  /**
   * Downloads an encrypted attachment and decrypts it (checking its hash, as clients must):
   * through authenticated media with this device's token where the server has it (current
   * Synapse serves new uploads nowhere else), else the unauthenticated path.
   */
  async downloadAttachment(file: EncryptedFile): Promise<Buffer> {
    const response = await downloadAsClient(this.#url, file.url, this.#token);
    if (!response.ok) throw new Error(`download failed: ${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    return Buffer.from(wasm.Attachment.decrypt(new wasm.EncryptedAttachment(data, JSON.stringify(file))));
  }
}
