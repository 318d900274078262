import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HomeserverError } from '../../src/homeserver/errors.ts';
import { createHomeserverHttp, endpoint, type HttpOptions, parseRetryAfter } from '../../src/homeserver/http.ts';
import { AdminUser } from '../../src/homeserver/schemas.ts';
import { closedPort, type FakeServer, type Reply, startFakeServer, TWISTED_404 } from './fake-server.ts';

const TOKEN = 'syt_secret_admin_token_123';
const ALICE = '@alice:test.local';
const USER = endpoint('/_synapse/admin/v2/users/{userId}', { userId: ALICE });
const Ok = z.object({ ok: z.boolean() });

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function client(replies: Reply[], extra: Partial<HttpOptions> = {}) {
  server = await startFakeServer(replies);
  const sleeps: number[] = [];
  const lines: string[] = [];
  const http = createHomeserverHttp({
    baseUrl: server.url,
    accessToken: TOKEN,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
    log: (line) => lines.push(line),
    ...extra,
  });
  return { http, sleeps, lines, requests: server.requests };
}

async function failure(promise: Promise<unknown>): Promise<HomeserverError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HomeserverError);
    const e = error as HomeserverError;
    // Whatever went wrong, the message shown to people never carries the token or a stack.
    expect(e.userMessage).not.toContain(TOKEN);
    expect(e.userMessage).not.toMatch(/\n\s+at /);
    return e;
  }
  throw new Error('expected a HomeserverError');
}

describe('createHomeserverHttp', () => {
  it('sends the token, encodes IDs in the path and parses the answer with the schema', async () => {
    const { http, requests } = await client([{ status: 200, json: { name: ALICE, admin: 0, creation_ts: 1795693927, extra: 'x' } }]);
    const user = await http.request('GET', USER, { schema: AdminUser });
    expect(user).toEqual({ name: ALICE, admin: false, creation_ts: 1795693927 });
    expect(requests[0]?.path).toBe('/_synapse/admin/v2/users/%40alice%3Atest.local');
    expect(requests[0]?.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('sends no token when auth is false, and the given one when a puppet token is passed', async () => {
    const { http, requests } = await client([
      { status: 200, json: { ok: true } },
      { status: 200, json: { ok: true } },
    ]);
    await http.request('GET', '/_synapse/admin/v1/server_version', { schema: Ok, auth: false });
    await http.request('GET', '/_matrix/client/v3/sync', { schema: Ok, token: 'puppet' });
    expect(requests[0]?.authorization).toBeUndefined();
    expect(requests[1]?.authorization).toBe('Bearer puppet');
  });

  it('encodes room IDs and query values', async () => {
    const { http, requests } = await client([{ status: 200, json: { ok: true } }]);
    const room = endpoint('/_synapse/admin/v1/rooms/{roomId}/messages', { roomId: '!DaNp/MzPa:test.local' });
    await http.request('GET', room, { schema: Ok, query: { dir: 'b', filter: '{"senders":["@a:b"]}', from: undefined } });
    expect(requests[0]?.path).toBe('/_synapse/admin/v1/rooms/%21DaNp%2FMzPa%3Atest.local/messages');
    expect(requests[0]?.query.get('filter')).toBe('{"senders":["@a:b"]}');
    expect(requests[0]?.query.has('from')).toBe(false);
  });

  it('honours retry_after_ms on 429, then succeeds', async () => {
    const { http, sleeps, requests } = await client([
      { status: 429, json: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 1234 } },
      { status: 200, json: { ok: true } },
    ]);
    await expect(http.request('GET', USER, { schema: Ok })).resolves.toEqual({ ok: true });
    expect(sleeps).toEqual([1234]);
    expect(requests).toHaveLength(2);
  });

  it('uses the Retry-After header when the body says nothing, and caps long waits', async () => {
    const { http, sleeps } = await client([
      { status: 429, json: { errcode: 'M_LIMIT_EXCEEDED' }, headers: { 'retry-after': '2' } },
      { status: 429, json: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 3_600_000 } },
      { status: 200, json: { ok: true } },
    ]);
    await http.request('GET', USER, { schema: Ok });
    expect(sleeps).toEqual([2000, 60_000]);
  });

  it('retries a POST on 429: the server did not process it', async () => {
    const { http, requests } = await client([
      { status: 429, json: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 10 } },
      { status: 200, json: { ok: true } },
    ]);
    await http.request('POST', '/_synapse/admin/v1/users/x/login', { schema: Ok, body: {} });
    expect(requests).toHaveLength(2);
  });

  it('gives up on 429 after the retries with a rate-limited error', async () => {
    const limited: Reply = { status: 429, json: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 5 } };
    const { http, requests } = await client([limited, limited, limited, limited]);
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.kind).toBe('rate-limited');
    expect(requests).toHaveLength(4);
  });

  it('retries a GET after 500 twice with exponential backoff, then succeeds', async () => {
    const { http, sleeps, requests } = await client([
      { status: 500, json: { errcode: 'M_UNKNOWN', error: 'Internal server error' } },
      { status: 502, html: '<html>Bad gateway</html>' },
      { status: 200, json: { ok: true } },
    ]);
    await expect(http.request('GET', USER, { schema: Ok })).resolves.toEqual({ ok: true });
    expect(sleeps).toEqual([250, 500]);
    expect(requests).toHaveLength(3);
  });

  it('retries after a timeout, then succeeds', async () => {
    const { http, requests } = await client([{ hang: true }, { status: 200, json: { ok: true } }], { timeoutMs: 150 });
    await expect(http.request('GET', USER, { schema: Ok })).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(2);
  });

  it('says timeout when every attempt times out', async () => {
    const { http } = await client([{ hang: true }, { hang: true }], { timeoutMs: 100, maxRetries: 1 });
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.kind).toBe('timeout');
    expect(error.userMessage).toContain('GET /_synapse/admin/v2/users/{userId}');
  });

  it('retries after a dropped connection, then succeeds', async () => {
    const { http, requests, sleeps } = await client([{ drop: true }, { status: 200, json: { ok: true } }]);
    await expect(http.request('GET', USER, { schema: Ok })).resolves.toEqual({ ok: true });
    expect(requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('fails clearly when the retries are exhausted', async () => {
    const boom: Reply = { status: 503, json: { errcode: 'M_UNKNOWN', error: 'down' } };
    const { http, requests, sleeps } = await client([boom, boom, boom, boom, boom]);
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.kind).toBe('server-error');
    expect(error.status).toBe(503);
    expect(error.endpoint).toBe('GET /_synapse/admin/v2/users/{userId}');
    expect(error.userMessage).toContain('internal error (503');
    expect(error.userMessage).not.toContain('alice');
    expect(requests).toHaveLength(4);
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it('does not retry a POST on 500, unless the caller says retry', async () => {
    const boom: Reply = { status: 500, json: { errcode: 'M_UNKNOWN' } };
    const first = await client([boom, { status: 200, json: { ok: true } }]);
    const error = await failure(first.http.request('POST', '/_synapse/admin/v1/users/x/login', { schema: Ok, body: {} }));
    expect(error.kind).toBe('server-error');
    expect(first.requests).toHaveLength(1);
    await server?.close();

    const second = await client([boom, { status: 200, json: { ok: true } }]);
    await expect(second.http.request('POST', '/_matrix/client/v3/keys/query', { schema: Ok, body: {}, retry: true })).resolves.toEqual({ ok: true });
    expect(second.requests).toHaveLength(2);
  });

  it('does not retry a POST after a dropped connection', async () => {
    const { http, requests } = await client([{ drop: true }, { status: 200, json: { ok: true } }]);
    const error = await failure(http.request('POST', '/_synapse/admin/v1/users/x/login', { schema: Ok, body: {} }));
    expect(error.kind).toBe('unreachable');
    expect(error.userMessage).toContain('dropped the connection');
    expect(requests).toHaveLength(1);
  });

  it('maps 401 and 403 to clear kinds without retrying', async () => {
    const { http, requests } = await client([
      { status: 401, json: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false } },
      { status: 403, json: { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' } },
    ]);
    const unauthorized = await failure(http.request('GET', USER, { schema: Ok }));
    expect(unauthorized.kind).toBe('unauthorized');
    expect(unauthorized.errcode).toBe('M_UNKNOWN_TOKEN');
    expect(unauthorized.userMessage).toContain('token');
    const forbidden = await failure(http.request('GET', USER, { schema: Ok }));
    expect(forbidden.kind).toBe('forbidden');
    expect(forbidden.userMessage).toContain('server admin');
    expect(requests).toHaveLength(2);
  });

  it('treats an HTML 404 as unsupported (a path the server does not serve)', async () => {
    const { http } = await client([{ status: 404, html: TWISTED_404 }]);
    const error = await failure(http.request('GET', '/_tuwunel/server_version', { schema: Ok, auth: false }));
    expect(error.kind).toBe('unsupported');
    expect(error.status).toBe(404);
    expect(error.errcode).toBeNull();
  });

  it('treats an HTML 404 on an admin path as unsupported with a hint about the proxy, never as not-found', async () => {
    const { http } = await client([{ status: 404, html: '<html>nginx</html>' }]);
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.kind).toBe('unsupported');
    expect(error.userMessage).toContain('/_synapse/admin');
  });

  it('treats M_UNRECOGNIZED as unsupported with 400 (Synapse 1.67) and 404 (current servers)', async () => {
    const { http } = await client([
      { status: 400, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } },
      { status: 404, json: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } },
    ]);
    const memberships = endpoint('/_synapse/admin/v1/users/{userId}/memberships', { userId: ALICE });
    expect((await failure(http.request('GET', memberships, { schema: Ok }))).kind).toBe('unsupported');
    expect((await failure(http.request('GET', memberships, { schema: Ok }))).kind).toBe('unsupported');
  });

  it('maps a JSON 404 to not-found', async () => {
    const { http } = await client([{ status: 404, json: { errcode: 'M_NOT_FOUND', error: 'User not found' } }]);
    expect((await failure(http.request('GET', USER, { schema: Ok }))).kind).toBe('not-found');
  });

  it('reports a bad shape as bad-response naming the endpoint, not the data', async () => {
    const { http } = await client([{ status: 200, json: { devices: { '@alice:test.local': 'not a list' }, name: 987654321 } }]);
    const error = await failure(http.request('GET', USER, { schema: AdminUser }));
    expect(error.kind).toBe('bad-response');
    expect(error.userMessage).toContain('GET /_synapse/admin/v2/users/{userId}');
    expect(error.userMessage).toContain('(at name)');
    expect(error.userMessage).not.toContain('alice');
    expect(error.userMessage).not.toContain('987654321');
  });

  it('hides ID-like keys in shape errors', async () => {
    const Rooms = z.object({ rooms: z.record(z.string(), z.object({ n: z.number() })) });
    const { http } = await client([{ status: 200, json: { rooms: { '!secret:test.local': { n: 'x' } } } }]);
    const error = await failure(http.request('GET', '/x', { schema: Rooms }));
    expect(error.userMessage).toContain('(at rooms.*.n)');
    expect(error.userMessage).not.toContain('secret');
  });

  it('reports a non-JSON 200 as bad-response', async () => {
    const { http } = await client([{ status: 200, html: '<html>login page</html>' }]);
    expect((await failure(http.request('GET', USER, { schema: Ok }))).kind).toBe('bad-response');
  });

  it('does not follow redirects, so the token cannot travel elsewhere', async () => {
    const { http, requests } = await client([{ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } }]);
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.kind).toBe('bad-response');
    expect(error.userMessage).toContain('redirected');
    expect(requests).toHaveLength(1);
  });

  it('names the base URL when nothing listens, without retrying', async () => {
    const url = await closedPort();
    const sleeps: number[] = [];
    const http = createHomeserverHttp({ baseUrl: `${url}/`, accessToken: TOKEN, sleep: async (ms) => void sleeps.push(ms) });
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.kind).toBe('unreachable');
    expect(error.detail).toBe('ECONNREFUSED');
    expect(error.userMessage).toContain(url);
    expect(sleeps).toEqual([]);
  });

  it('keeps credentials in the base URL out of messages', async () => {
    const url = await closedPort();
    const http = createHomeserverHttp({ baseUrl: url.replace('http://', 'http://admin:hunter2@'), accessToken: TOKEN, sleep: async () => {} });
    const error = await failure(http.request('GET', USER, { schema: Ok }));
    expect(error.userMessage).not.toContain('hunter2');
  });

  it('logs only method, endpoint template and status', async () => {
    const { http, lines } = await client([
      { status: 500, json: {} },
      { status: 200, json: { ok: true } },
    ]);
    await http.request('GET', USER, { schema: Ok, query: { access_token: TOKEN } });
    expect(lines.join('\n')).not.toMatch(/alice|syt_|127\.0\.0\.1/);
    expect(lines[0]).toBe('GET /_synapse/admin/v2/users/{userId} 500');
  });
});

describe('streams (uploads and downloads) retry by the same rules as requests', () => {
  const MEDIA = '/_matrix/client/v1/media/download/example.org/abc';

  it('retries a download after 500 and a dropped connection with exponential backoff, then reads the body', async () => {
    const { http, sleeps, requests } = await client([{ status: 500, json: { errcode: 'M_UNKNOWN' } }, { drop: true }, { status: 200, json: { ok: true } }]);
    const answer = await http.stream('GET', MEDIA);
    expect(await new Response(answer.body).json()).toEqual({ ok: true });
    expect(sleeps).toEqual([250, 500]);
    expect(requests).toHaveLength(3);
  });

  it('sends a POST upload once on 500, but again after a 429 (the server did not take it), its body from the start', async () => {
    const body = () => new Response('{"part":1}').body!; // the fake server reads bodies as JSON
    const boom = await client([
      { status: 500, json: { errcode: 'M_UNKNOWN' } },
      { status: 200, json: { ok: true } },
    ]);
    expect((await failure(boom.http.stream('POST', '/_matrix/media/v3/upload', { body }))).kind).toBe('server-error');
    expect(boom.requests).toHaveLength(1);
    await server?.close();

    const limited = await client([
      { status: 429, json: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 1200 } },
      { status: 200, json: { ok: true } },
    ]);
    await limited.http.stream('POST', '/_matrix/media/v3/upload', { body });
    expect(limited.sleeps).toEqual([1200]);
    expect(limited.requests.map((r) => r.body)).toEqual([{ part: 1 }, { part: 1 }]);
  });

  it('gives up after the retries with the last error, and logs each retry by its endpoint only', async () => {
    const boom: Reply = { status: 503, json: { errcode: 'M_UNKNOWN' } };
    const { http, requests, lines } = await client([boom, boom, boom, boom, boom]);
    const error = await failure(http.stream('GET', MEDIA));
    expect(error.kind).toBe('server-error');
    expect(requests).toHaveLength(4);
    expect(lines.filter((l) => l.includes('retrying'))).toEqual([
      `GET ${MEDIA} 503: retrying in 250 ms`,
      `GET ${MEDIA} 503: retrying in 500 ms`,
      `GET ${MEDIA} 503: retrying in 1000 ms`,
    ]);
  });

  it('does not try again once the caller cancelled', async () => {
    const { http, requests } = await client([{ hang: true }, { status: 200, json: { ok: true } }], { timeoutMs: 5000 });
    const controller = new AbortController();
    const pending = http.stream('GET', MEDIA, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    await expect(pending).rejects.toThrow('cancelled');
    expect(requests).toHaveLength(1);
  });
});

describe('a hostile or broken homeserver', () => {
  it('refuses an enormous answer without reading it all, and does not ask again', async () => {
    const huge = JSON.stringify({ name: ALICE, padding: 'x'.repeat(3 * 1024 * 1024) });
    const { http, requests } = await client([{ status: 200, json: JSON.parse(huge) }], { maxResponseBytes: 1024 * 1024 });
    const e = await failure(http.request('GET', USER, { schema: AdminUser }));
    expect(e.kind).toBe('bad-response');
    expect(e.userMessage).toMatch(/more than 1 MiB/);
    expect(requests).toHaveLength(1);
  });

  it('refuses an endless chunked answer once it passes the limit', async () => {
    const endless = Array.from({ length: 10_000 }, (_, i) => (i === 0 ? '{"name": "' : 'x'.repeat(1024)));
    const { http } = await client([{ status: 200, chunks: endless, intervalMs: 0 }], { maxResponseBytes: 256 * 1024 });
    const e = await failure(http.request('GET', USER, { schema: AdminUser }));
    expect(e.kind).toBe('bad-response');
  });

  it('gives up on an answer that trickles in slower than the timeout, within a bound', async () => {
    const slow = ['{"name": ', '"@alice:test.local"', '}'];
    const { http } = await client(
      [1, 2, 3].map(() => ({ status: 200, chunks: slow, intervalMs: 400 })),
      { timeoutMs: 300, maxRetries: 2 },
    );
    const started = Date.now();
    const e = await failure(http.request('GET', USER, { schema: AdminUser }));
    expect(e.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('names wrong types and malformed JSON as unusable answers', async () => {
    const { http } = await client([
      { status: 200, json: { name: 42, admin: 'yes' } },
      { status: 200, html: '{"name": "@alice' },
    ]);
    expect((await failure(http.request('GET', USER, { schema: AdminUser }))).kind).toBe('bad-response');
    expect((await failure(http.request('GET', USER, { schema: AdminUser }))).kind).toBe('bad-response');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('Thu, 01 Jan 2026 00:00:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
