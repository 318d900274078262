// One fact, two servers: what a real Synapse does that the test homeserver models, written once
// as plain HTTP against a FactTarget and run against both, the test homeserver's `synapse`
// flavour in the fast tier (test/homeserver/synapse-facts.test.ts) and the real Synapse in the
// real tier (test/real/synapse-facts.test.ts), so that both tiers are held to the same answers.
//
//   const target = await testHomeserverTarget(hs);   // or a RealSynapse, as it is
//   await uploadsServedOnlyWithAuthentication(target);
import { createHmac, randomBytes } from 'node:crypto';
import type { TestHomeserver } from '../../../src/test-homeserver/index.ts';

export type FactAccount = { userId: string; accessToken: string; deviceId: string };

export type FactTarget = {
  url: string;
  serverName: string;
  /** A server admin of the test's own, with its rate limits lifted. */
  admin: FactAccount;
  /** Registers someone through the shared-secret admin API: Synapse's default rate limits apply to them. */
  register(localpart: string): Promise<FactAccount>;
  /** Lifts a user's rate limits with the admin API's override. */
  liftRateLimits(userId: string): Promise<void>;
};

export type Answer = { status: number; json: any; headers: Headers; ms: number };

export const enc = encodeURIComponent;

/** One HTTP call, answered as it came (a 429 too), with how long it took. */
export async function call(target: Pick<FactTarget, 'url'>, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(target.url + path, {
    method,
    headers: { ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}), ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: any = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json, headers: response.headers, ms: Date.now() - started };
}

/** The same, and throws unless 2xx; the JSON. */
export async function ok(target: Pick<FactTarget, 'url'>, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<any> {
  const answer = await call(target, method, path, options);
  if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${path.split('?')[0]}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}

/** A fresh localpart, so that facts can share one server. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(3).toString('hex')}`;

/** The test homeserver as a FactTarget: accounts made over HTTP, as on the real server. */
export async function testHomeserverTarget(hs: TestHomeserver): Promise<FactTarget> {
  const target = { url: hs.url, serverName: hs.serverName };
  const register = async (localpart: string, admin = false): Promise<FactAccount> => {
    const { nonce } = await ok(target, 'GET', '/_synapse/admin/v1/register');
    const password = randomBytes(12).toString('hex');
    const mac = createHmac('sha1', hs.registrationSecret).update([nonce, localpart, password, admin ? 'admin' : 'notadmin'].join('\0')).digest('hex');
    const answer = await ok(target, 'POST', '/_synapse/admin/v1/register', { body: { nonce, username: localpart, password, admin, mac } });
    return { userId: answer.user_id, accessToken: answer.access_token, deviceId: answer.device_id };
  };
  const admin = await register(uniqueName('fact-admin'), true);
  const liftRateLimits = async (userId: string) => {
    await ok(target, 'POST', `/_synapse/admin/v1/users/${enc(userId)}/override_ratelimit`, { token: admin.accessToken, body: { messages_per_second: 0, burst_count: 0 } });
  };
  await liftRateLimits(admin.userId);
  return { ...target, admin, register: (localpart) => register(localpart), liftRateLimits };
}
