// One scenario, two servers: the facts about what a homeserver does (issue 15, item 5, and what
// the real tier found on the way) are written once as plain HTTP against a FactServer, and run
// against the test homeserver (e2e tier, test/homeserver/) and against the real Synapse
// (test/real/homeserver-facts.test.ts), so that both tiers are held to the same observable answers.
//
//   const server = await factServerFor(hs);               // or realFactServer(synapse)
//   const person = await server.register('person');
//   await person.createRoom({ name: 'alone' });
import { randomBytes } from 'node:crypto';
import type { TestHomeserver } from '../../../src/test-homeserver/index.ts';
import { type Answer, type CallOptions, enc, jsonCaller, okCaller, registerWithSharedSecret, sleep } from '../matrix-http.ts';
import { PersonClient } from '../person-client.ts';

export { type Answer, type CallOptions, enc, sleep };

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

/** A FactServer over any server with shared-secret registration and, optionally, rate-limit overrides. */
export async function factServer(o: {
  url: string;
  serverName: string;
  hasRateLimitOverride: boolean;
  /** How accounts are made: the server's own registration helper, or shared-secret registration with this secret. */
  registration: { secret: string } | { register(localpart: string, options: { admin?: boolean; displayName?: string }): Promise<FactAccount> };
  admin?: FactAccount;
}): Promise<FactServer> {
  const call = jsonCaller(o.url);
  const ok = okCaller(call);
  const registerAccount = async (localpart: string, admin: boolean, displayName?: string): Promise<FactAccount> => {
    const registration = o.registration;
    const options = { admin, ...(displayName ? { displayName } : {}) };
    return 'secret' in registration ? registerWithSharedSecret(ok, registration.secret, localpart, options) : registration.register(localpart, options);
  };
  const admin = o.admin ?? (await registerAccount(`fact-admin-${randomBytes(3).toString('hex')}`, true));
  const lift = async (userId: string): Promise<void> => {
    if (!o.hasRateLimitOverride) return;
    await ok('POST', `/_synapse/admin/v1/users/${enc(userId)}/override_ratelimit`, {
      token: admin.accessToken,
      body: { messages_per_second: 0, burst_count: 0 },
    });
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
  return factServer({
    url: hs.url,
    serverName: hs.serverName,
    registration: { secret: hs.registrationSecret },
    hasRateLimitOverride: hs.flavour !== 'tuwunel',
  });
}

/** A person's client (what Element sends), with what the facts need besides. */
export class FactClient extends PersonClient {
  readonly #server: FactServer;

  constructor(server: FactServer, account: FactAccount) {
    super(server, account);
    this.#server = server;
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
