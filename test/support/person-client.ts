// A person's Matrix client in plain client-server calls: what Element sends when someone makes a
// room, joins, invites, writes, leaves and forgets. The real tier's client (test/real/support/
// client.ts) and the facts' client (homeserver-facts/server.ts) add what each needs on top.
import { randomBytes } from 'node:crypto';
import { type Answer, type Call, enc, type Ok } from './matrix-http.ts';

export type PersonAccount = { userId: string; accessToken: string; deviceId: string };

export type RoomOptions = { invite?: string[]; isDirect?: boolean; encrypted?: boolean; preset?: string; name?: string; alias?: string };

export class PersonClient {
  readonly userId: string;
  readonly accessToken: string;
  readonly deviceId: string;
  readonly #call: Call;
  readonly #ok: Ok;

  constructor(http: { call: Call; ok: Ok }, account: PersonAccount) {
    this.#call = http.call;
    this.#ok = http.ok;
    this.userId = account.userId;
    this.accessToken = account.accessToken;
    this.deviceId = account.deviceId;
  }

  /** One call as this person; never throws on a status. */
  call(method: string, path: string, body?: unknown, options: { raw429?: boolean } = {}): Promise<Answer> {
    return this.#call(method, path, { token: this.accessToken, ...(body === undefined ? {} : { body }), ...options });
  }

  /** The same, and throws unless 2xx; the JSON. */
  ok(method: string, path: string, body?: unknown): Promise<any> {
    return this.#ok(method, path, { token: this.accessToken, ...(body === undefined ? {} : { body }) });
  }

  async createRoom(options: RoomOptions = {}): Promise<string> {
    const answer = await this.ok('POST', '/_matrix/client/v3/createRoom', {
      preset: options.preset ?? (options.isDirect ? 'trusted_private_chat' : 'private_chat'),
      ...(options.invite ? { invite: options.invite } : {}),
      ...(options.isDirect ? { is_direct: true } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(options.alias ? { room_alias_name: options.alias } : {}),
      ...(options.encrypted ? { initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] } : {}),
    });
    return answer.room_id;
  }

  async join(roomIdOrAlias: string): Promise<string> {
    return (await this.ok('POST', `/_matrix/client/v3/join/${enc(roomIdOrAlias)}`, {})).room_id;
  }

  async invite(roomId: string, userId: string): Promise<void> {
    await this.ok('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: userId });
  }

  async leave(roomId: string): Promise<void> {
    await this.ok('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
  }

  async forget(roomId: string): Promise<void> {
    await this.ok('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/forget`, {});
  }

  /** Sends an event under a fresh transaction ID; its event ID. */
  async send(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    const txn = randomBytes(8).toString('hex');
    return (await this.ok('PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${txn}`, content)).event_id;
  }

  say(roomId: string, body: string): Promise<string> {
    return this.send(roomId, 'm.room.message', { msgtype: 'm.text', body });
  }
}
