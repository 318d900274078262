// Plain client-server and admin HTTP for the tests' own clients, the same against the test
// homeserver and a real Synapse: JSON in and out, a 429 waited out (as a patient client would),
// and registration through Synapse's shared-secret admin API.
import { createHmac, randomBytes } from 'node:crypto';

/** An answer as it came, with how long the call took (a 429 waited out included). */
export type Answer = { status: number; json: any; headers: Headers; ms: number };

export type CallOptions = { token?: string; body?: unknown /** Answer a 429 instead of waiting it out. */; raw429?: boolean };

export type Call = (method: string, pathAndQuery: string, options?: CallOptions) => Promise<Answer>;

/** Throws unless 2xx; the JSON. */
export type Ok = (method: string, pathAndQuery: string, options?: CallOptions) => Promise<any>;

export const enc = encodeURIComponent;
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One HTTP call against `url`; never throws on a status, the caller looks at it. */
export function jsonCaller(url: string): Call {
  return async (method, pathAndQuery, options = {}) => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(url + pathAndQuery, {
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

/** The call, throwing unless the status is 2xx (naming the path without its query). */
export function okCaller(call: Call): Ok {
  return async (method, pathAndQuery, options = {}) => {
    const answer = await call(method, pathAndQuery, options);
    if (answer.status < 200 || answer.status > 299) throw new Error(`${method} ${pathAndQuery.split('?')[0]}: ${answer.status} ${JSON.stringify(answer.json)}`);
    return answer.json;
  };
}

export type RegisteredAccount = { userId: string; accessToken: string; deviceId: string /** For a second login of this person's. */; password: string };

/** Registers an account through POST /_synapse/admin/v1/register with the server's shared secret. */
export async function registerWithSharedSecret(
  ok: Ok,
  secret: string,
  localpart: string,
  options: { admin?: boolean; displayName?: string } = {},
): Promise<RegisteredAccount> {
  const { nonce } = await ok('GET', '/_synapse/admin/v1/register');
  const password = randomBytes(12).toString('hex');
  const admin = options.admin ?? false;
  const mac = createHmac('sha1', secret)
    .update([nonce, localpart, password, admin ? 'admin' : 'notadmin'].join('\0'))
    .digest('hex');
  const answer = await ok('POST', '/_synapse/admin/v1/register', {
    body: { nonce, username: localpart, password, admin, mac, ...(options.displayName ? { displayname: options.displayName } : {}) },
  });
  return { userId: answer.user_id, accessToken: answer.access_token, deviceId: answer.device_id, password };
}
