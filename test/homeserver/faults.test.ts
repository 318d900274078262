import { afterEach, describe, expect, it } from 'vitest';
import type { TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { call } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function bot() {
  hs = await startTestHomeserver();
  return hs.model.addUser({ localpart: 'bot' }).accessToken;
}

const WHOAMI = '/_matrix/client/v3/account/whoami';

describe('faults', () => {
  it("'status' answers 500 M_UNKNOWN once, then the real answer", async () => {
    const token = await bot();
    hs.faults.add({ path: WHOAMI, kind: 'status' });
    const first = await call(hs.url, 'GET', WHOAMI, { token });
    expect(first.status).toBe(500);
    expect(first.body).toEqual({ errcode: 'M_UNKNOWN', error: 'Internal server error' });
    expect((await call(hs.url, 'GET', WHOAMI, { token })).status).toBe(200);
    expect(hs.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it("'status' takes another status and `times`", async () => {
    const token = await bot();
    hs.faults.add({ path: WHOAMI, kind: 'status', status: 502, times: 2 });
    expect((await call(hs.url, 'GET', WHOAMI, { token })).status).toBe(502);
    expect((await call(hs.url, 'GET', WHOAMI, { token })).status).toBe(502);
    expect((await call(hs.url, 'GET', WHOAMI, { token })).status).toBe(200);
  });

  it("'rate-limit' answers 429 M_LIMIT_EXCEEDED with retry_after_ms, and Retry-After in whole seconds as Synapse does", async () => {
    const token = await bot();
    hs.faults.add({ path: /\/sync$/, kind: 'rate-limit', retryAfterMs: 1234 });
    const res = await call(hs.url, 'GET', '/_matrix/client/v3/sync?timeout=0', { token });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 1234 });
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it("'latency' delays the real answer", async () => {
    const token = await bot();
    hs.faults.add({ path: WHOAMI, kind: 'latency', latencyMs: 200 });
    const started = Date.now();
    const res = await call(hs.url, 'GET', WHOAMI, { token });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(res.status).toBe(200);
  });

  it("'drop' closes the connection without an answer", async () => {
    const token = await bot();
    hs.faults.add({ path: WHOAMI, kind: 'drop' });
    await expect(call(hs.url, 'GET', WHOAMI, { token })).rejects.toThrow();
    expect((await call(hs.url, 'GET', WHOAMI, { token })).status).toBe(200);
  });

  it("'commit-then-drop' lets the request take effect, calls onCommitted, then answers nothing", async () => {
    hs = await startTestHomeserver();
    const bot = hs.model.addUser({ localpart: 'bot' });
    const room = hs.model.createRoom(bot.userId);
    const committed: number[] = [];
    hs.faults.add({
      method: 'PUT',
      path: /\/send\//,
      kind: 'commit-then-drop',
      onCommitted: () => {
        committed.push(hs.model.events(room).filter((e) => e.content['body'] === 'hello').length);
      },
    });
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/send/m.room.message/t1`;
    await expect(call(hs.url, 'PUT', path, { token: bot.accessToken, body: { msgtype: 'm.text', body: 'hello' } })).rejects.toThrow();
    expect(committed).toEqual([1]);
    expect(hs.requests.at(-1)?.status).toBe(0);
    // The retry with the same transaction ID gets the stored event, not a second one.
    const retry = await call(hs.url, 'PUT', path, { token: bot.accessToken, body: { msgtype: 'm.text', body: 'hello' } });
    expect(retry.status).toBe(200);
    const stored = hs.model.events(room).filter((e) => e.content['body'] === 'hello');
    expect(stored.map((e) => e.event_id)).toEqual([retry.body.event_id]);
  });

  it('matches the method and the raw (still encoded) path; clear() removes all', async () => {
    const token = await bot();
    const path = '/_matrix/client/v3/user/%40bot%3Atest.local/account_data/m.direct';
    hs.faults.add({ method: 'PUT', path, kind: 'status', times: 5 });
    expect((await call(hs.url, 'GET', path, { token })).status).toBe(404);
    expect((await call(hs.url, 'PUT', path, { token, body: {} })).status).toBe(500);
    hs.faults.clear();
    expect((await call(hs.url, 'PUT', path, { token, body: {} })).status).toBe(200);
  });
});

describe('authentication', () => {
  it('no token: 401 M_MISSING_TOKEN; bad token: 401 M_UNKNOWN_TOKEN with soft_logout false', async () => {
    await bot();
    const missing = await call(hs.url, 'GET', '/_matrix/client/v3/joined_rooms');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errcode: 'M_MISSING_TOKEN', error: 'Missing access token' });
    const bad = await call(hs.url, 'GET', WHOAMI, { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false });
  });

  it('accepts the access_token query parameter and records who called', async () => {
    const token = await bot();
    const res = await call(hs.url, 'GET', `${WHOAMI}?access_token=${token}`);
    expect(res.body.user_id).toBe('@bot:test.local');
    expect(hs.requests[0]).toMatchObject({ method: 'GET', path: WHOAMI, userId: '@bot:test.local', status: 200 });
  });

  it('admin calls need an admin: 403 M_FORBIDDEN otherwise; server_version needs nothing', async () => {
    const token = await bot();
    const res = await call(hs.url, 'GET', '/_synapse/admin/v2/users/%40bot%3Atest.local', { token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errcode: 'M_FORBIDDEN', error: 'You are not a server admin' });
    expect((await call(hs.url, 'GET', '/_synapse/admin/v1/server_version', { token: 'bad' })).status).toBe(200);
  });

  it('login-as tokens expire at valid_until_ms and create no device', async () => {
    hs = await startTestHomeserver();
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    hs.model.addUser({ localpart: 'alice' });
    const res = await call(hs.url, 'POST', '/_synapse/admin/v1/users/%40alice%3Atest.local/login', {
      token: admin.accessToken,
      body: { valid_until_ms: Date.now() + 150 },
    });
    const puppet = res.body.access_token as string;
    expect((await call(hs.url, 'GET', WHOAMI, { token: puppet })).body).toEqual({ user_id: '@alice:test.local', is_guest: false });
    expect(hs.model.user('@alice:test.local')?.devices.size).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect((await call(hs.url, 'GET', WHOAMI, { token: puppet })).status).toBe(401);
  });

  it('password login answers with well_known and a new device; logout removes it', async () => {
    hs = await startTestHomeserver();
    hs.model.addUser({ localpart: 'alice', password: 'secret' });
    const wrong = await call(hs.url, 'POST', '/_matrix/client/v3/login', {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'x' },
    });
    expect(wrong.status).toBe(403);
    const ok = await call(hs.url, 'POST', '/_matrix/client/v3/login', {
      body: { type: 'm.login.password', identifier: { type: 'm.id.user', user: 'alice' }, password: 'secret', initial_device_display_name: 'phone' },
    });
    expect(ok.body.well_known).toEqual({ 'm.homeserver': { base_url: `${hs.url}/` } });
    expect(hs.model.user('@alice:test.local')?.devices.get(ok.body.device_id)?.displayName).toBe('phone');
    await call(hs.url, 'POST', '/_matrix/client/v3/logout', { token: ok.body.access_token, body: {} });
    expect(hs.model.user('@alice:test.local')?.devices.has(ok.body.device_id)).toBe(false);
    expect((await call(hs.url, 'GET', WHOAMI, { token: ok.body.access_token })).status).toBe(401);
  });
});
