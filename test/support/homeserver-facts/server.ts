// One scenario, two servers: the facts about what a homeserver does (issue 15, item 5, and what
// the real tier found on the way) are written once as plain HTTP against a FactServer, and run
// against the test homeserver (fast tier, test/homeserver/) and against the real Synapse
// (test/real/homeserver-facts.test.ts), so that both tiers are held to the same observable answers.
//
//   const server = await factServerFor(hs);               // or realFactServer(synapse)
//   const person = await server.register('person');
//   await person.createRoom({ name: 'alone' });
import { createHmac, randomBytes } from 'node:crypto';
import type { TestHomeserver } from '../../../src/test-homeserver/index.ts';

/** An answer as it came, with how long the call took (a 429 waited out included). */
export type Answer = { status: number; json: any; headers: Headers; ms: number };

export type CallOptions = { token?: string; body?: unknown; /** Answer a 429 instead of waiting it out. */ raw429?: boolean };

export type FactAccount = { userId: string; accessToken: string; deviceId: string };

export type FactServer = {
  url: string;
  serverName: string;
  /** A server admin of the test's own, with its rate limits lifted where the server has limits. */
  admin: FactAccount;
  /** Registers someone through the shared-secret API; their rate limits are lifted unless `defaultRateLimits`. */
  register(localpart: string, options?: { admin?: boolean; displayName?: string; defaultRateLimits?: boolean }): Promise<FactClient>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** As call, and throws unless 2xx; the JSON. */
  ok(method: string, path: string, options?: CallOptions): Promise<any>;
  /** The admin's call. */
  asAdmin(method: string, path: string, body?: unknown): Promise<Answer>;
};

export const enc = encodeURIComponent;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` says yes, or throws after `timeoutMs` naming what was awaited. */
export async function waitUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

function caller(url: string) {
  return async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url + path, {
        method,
        headers: {
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      let json: any = null;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = { raw: text };
      }
      if (response.status === 429 && !options.raw429 && attempt < 30) {
        await sleep(Math.min(5_000, Number(json?.retry_after_ms ?? 500)));
        continue;
      }
      return { status: response.status, json, headers: response.headers, ms: Date.now() - started };
    }
  };
}

/** A FactServer over any server with shared-secret registration and, optionally, rate-limit overrides. */
export async function factServer(o: {
  url: string;
  serverName: string;
  hasRateLimitOverride: boolean;
  /** How accounts are made: the server's own registration helper, or shared-secret registration with this secret. */
  registration: { secret: string } | { register(localpart: string, options: { admin?: boolean; displayName?: string }): Promise<FactAccount> };
  admin?: FactAccount;
}): Promise<FactServer> {
  const call = caller(o.url);
  const ok = async (method: string, path: string, options: CallOptions = {}): Promise<any> => {
    const answer = await call(method, path, options);
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path.split('?')[0]}: ${answer.status} ${JSON.stringify(answer.json)}`);
    return answer.json;
  };
  const registerAccount = async (localpart: string, admin: boolean, displayName?: string): Promise<FactAccount> => {
    const registration = o.registration;
    if (!('secret' in registration)) return registration.register(localpart, { admin, ...(displayName ? { displayName } : {}) });
    const { nonce } = await ok('GET', '/_synapse/admin/v1/register');
    const password = randomBytes(12).toString('hex');
    const mac = createHmac('sha1', registration.secret).update([nonce, localpart, password, admin ? 'admin' : 'notadmin'].join('\0')).digest('hex');
    const answer = await ok('POST', '/_synapse/admin/v1/register', {
      body: { nonce, username: localpart, password, admin, mac, ...(displayName ? { displayname: displayName } : {}) },
    });
    return { userId: answer.user_id, accessToken: answer.access_token, deviceId: answer.device_id };
  };
  const admin = o.admin ?? (await registerAccount(`fact-admin-${randomBytes(3).toString('hex')}`, true));
  const lift = async (userId: string): Promise<void> => {
    if (!o.hasRateLimitOverride) return;
    await ok('POST', `/_synapse/admin/v1/users/${enc(userId)}/override_ratelimit`, { token: admin.accessToken, body: { messages_per_second: 0, burst_count: 0 } });
  };
  await lift(admin.userId);
  const server: FactServer = {
    url: o.url,
    serverName: o.serverName,
    admin,
    call,
    ok,
    asAdmin: (method, path, body) => call(method, path, { token: admin.accessToken, ...(body === undefined ? {} : { body }) }),
    register: async (localpart, options = {}) => {
      const account = await registerAccount(localpart, options.admin ?? false, options.displayName);
      if (!options.defaultRateLimits) await lift(account.userId);
      return new FactClient(server, account);
    },
  };
  return server;
}

/** The test homeserver as a FactServer (Synapse flavours have the rate-limit override, Tuwunel does not). */
export function factServerFor(hs: TestHomeserver): Promise<FactServer> {
  return factServer({ url: hs.url, serverName: hs.serverName, registration: { secret: hs.registrationSecret }, hasRateLimitOverride: hs.flavour !== 'tuwunel' });
}

/** A person's client: what Element sends, in plain client-server calls. */
export class FactClient {
  readonly userId: string;
  readonly accessToken: string;
  readonly deviceId: string;
  readonly #server: FactServer;

  constructor(server: FactServer, account: FactAccount) {
    this.#server = server;
    this.userId = account.userId;
    this.accessToken = account.accessToken;
    this.deviceId = account.deviceId;
  }

  call(method: string, path: string, body?: unknown, options: { raw429?: boolean } = {}): Promise<Answer> {
    return this.#server.call(method, path, { token: this.accessToken, ...(body === undefined ? {} : { body }), ...options });
  }

  ok(method: string, path: string, body?: unknown): Promise<any> {
    return this.#server.ok(method, path, { token: this.accessToken, ...(body === undefined ? {} : { body }) });
  }

  async createRoom(options: { invite?: string[]; name?: string; preset?: string } = {}): Promise<string> {
    const answer = await this.ok('POST', '/_matrix/client/v3/createRoom', {
      preset: options.preset ?? 'private_chat',
      ...(options.invite ? { invite: options.invite } : {}),
      ...(options.name ? { name: options.name } : {}),
    });
    return answer.room_id;
  }

  async join(roomId: string): Promise<void> {
    await this.ok('POST', `/_matrix/client/v3/join/${enc(roomId)}`, {});
  }

  async leave(roomId: string): Promise<void> {
    await this.ok('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {});
  }

  async forget(roomId: string): Promise<void> {
    await this.ok('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/forget`, {});
  }

  async send(roomId: string, type: string, content: Record<string, unknown>): Promise<string> {
    const txn = randomBytes(8).toString('hex');
    return (await this.ok('PUT', `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${txn}`, content)).event_id;
  }

  say(roomId: string, body: string): Promise<string> {
    return this.send(roomId, 'm.room.message', { msgtype: 'm.text', body });
  }

  /** Creates a room with `others` invited, who join it. */
  async roomWith(others: FactClient[], name: string): Promise<string> {
    const roomId = await this.createRoom({ name, invite: others.map((o) => o.userId) });
    for (const other of others) await other.join(roomId);
    return roomId;
  }

  /** A login-as token for this person (the admin's), valid for ten minutes. */
  async loginAs(): Promise<string> {
    const answer = await this.#server.asAdmin('POST', `/_synapse/admin/v1/users/${enc(this.userId)}/login`, { valid_until_ms: Date.now() + 600_000 });
    if (answer.status !== 200) throw new Error(`login-as ${this.userId}: ${answer.status} ${JSON.stringify(answer.json)}`);
    return answer.json.access_token;
  }
}

/** A unique localpart, so that scenarios can share one server. */
export function uniqueName(base: string): string {
  return `${base}-${randomBytes(3).toString('hex')}`;
}
