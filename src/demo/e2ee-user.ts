// A person with an end-to-end encrypting client, for tests: a real OlmMachine of
// @matrix-org/matrix-sdk-crypto-wasm (keys in memory) driven over real HTTP
// against the test homeserver, like a small Element. It uploads its keys, shares
// room keys with the bot's device, sends encrypted messages, and decrypts what it
// receives; nothing here pretends to decrypt.
import { createRequire } from 'node:module';
import type * as Wasm from '@matrix-org/matrix-sdk-crypto-wasm';
import type { TestHomeserver } from '../test-homeserver/index.ts';

const require = createRequire(import.meta.url);
const wasm = require('@matrix-org/matrix-sdk-crypto-wasm') as typeof Wasm;

type Json = Record<string, any>;

/** A timeline event as this client saw it: decrypted when it was encrypted. */
export type SeenEvent = { roomId: string; eventId: string; sender: string; type: string; content: Json; encrypted: boolean };

/** The `file` of an encrypted attachment (EncryptedFile in the spec). */
export type EncryptedFile = { url: string; key: Json; iv: string; hashes: Record<string, string>; v: string };

export class E2eeUser {
  readonly userId: string;
  readonly deviceId: string;
  readonly seen: SeenEvent[] = [];
  /** Events this client could not decrypt (from others, it must never happen in these tests). */
  readonly undecryptable: Array<{ roomId: string; eventId: string; sender: string; error: string }> = [];
  readonly #hs: TestHomeserver;
  readonly #token: string;
  readonly #machine: Wasm.OlmMachine;
  #since: string | null = null;
  #txn = 0;

  private constructor(hs: TestHomeserver, userId: string, deviceId: string, token: string, machine: Wasm.OlmMachine) {
    this.#hs = hs;
    this.userId = userId;
    this.deviceId = deviceId;
    this.#token = token;
    this.#machine = machine;
  }

  /** Logs in a new device of `userId`, uploads its keys and syncs once. */
  static async login(hs: TestHomeserver, userId: string, deviceName = 'Element (test)'): Promise<E2eeUser> {
    const { accessToken, deviceId } = hs.model.login(userId, deviceName);
    const machine = await wasm.OlmMachine.initialize(new wasm.UserId(userId), new wasm.DeviceId(deviceId));
    const user = new E2eeUser(hs, userId, deviceId, accessToken, machine);
    await user.sync();
    // What was said before this device existed stays unreadable to it, as in any client.
    user.seen.length = 0;
    user.undecryptable.length = 0;
    return user;
  }

  async #request(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await fetch(this.#hs.url + path, {
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
      const decrypted = await this.#machine.decryptRoomEvent(JSON.stringify({ ...event, room_id: roomId }), new wasm.RoomId(roomId), new wasm.DecryptionSettings(wasm.TrustRequirement.Untrusted));
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

  /** Downloads an encrypted attachment and decrypts it (checking its hash, as clients must). */
  async downloadAttachment(file: EncryptedFile): Promise<Buffer> {
    const [server, mediaId] = file.url.slice('mxc://'.length).split('/');
    const response = await fetch(`${this.#hs.url}/_matrix/media/v3/download/${server}/${mediaId}`);
    if (!response.ok) throw new Error(`download failed: ${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    return Buffer.from(wasm.Attachment.decrypt(new wasm.EncryptedAttachment(data, JSON.stringify(file))));
  }
}
