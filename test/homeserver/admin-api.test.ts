import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Flavour, TestHomeserver } from '../../src/test-homeserver/index.ts';
import { startTestHomeserver } from '../../src/test-homeserver/index.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { roomTagsApartFromAccountData } from '../support/homeserver-facts/tags.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

const A = '/_synapse/admin';
const ALICE = '@alice:test.local';

async function world(flavour: Flavour = 'synapse-1.67') {
  hs = await startTestHomeserver({ flavour });
  const admin = hs.model.addUser({ localpart: 'admin', admin: true });
  const alice = hs.model.addUser({ localpart: 'alice', displayName: 'Alice', emails: ['a@example.org'] });
  const bob = hs.model.addUser({ localpart: 'bob' });
  const room = hs.model.createRoom(ALICE, { name: 'room', invite: [bob.userId] });
  hs.model.join(room, bob.userId);
  const get = (path: string) => call(hs.url, 'GET', A + path, { token: admin.accessToken });
  const send = (method: string, path: string, body: unknown = {}) => call(hs.url, method, A + path, { token: admin.accessToken, body });
  return { admin, alice, bob, room, get, send };
}

describe('admin API', () => {
  it('media: newest first, integer next_token absent on the last page, total on every page; DELETE takes one page', async () => {
    const { get, send } = await world();
    for (let i = 0; i < 5; i++)
      hs.model.uploadMedia(ALICE, { contentType: 'text/plain', bytes: Buffer.from(`f${i}`), filename: `f${i}.txt`, createdAt: 1000 + i });
    const p1 = (await get(`/v1/users/${enc(ALICE)}/media?limit=2`)).body;
    expect(p1.media.map((m: { upload_name: string }) => m.upload_name)).toEqual(['f4.txt', 'f3.txt']);
    expect(p1).toMatchObject({ total: 5, next_token: 2 });
    const last = (await get(`/v1/users/${enc(ALICE)}/media?limit=2&from=4`)).body;
    expect(last.media).toHaveLength(1);
    expect(last.total).toBe(5);
    expect('next_token' in last).toBe(false);
    const del = (await send('DELETE', `/v1/users/${enc(ALICE)}/media?limit=3`)).body;
    expect(del.total).toBe(3);
    expect(hs.model.mediaOf(ALICE)).toHaveLength(2);
    const one = hs.model.mediaOf(ALICE)[0]?.mediaId ?? '';
    expect((await send('DELETE', `/v1/media/test.local/${one}`)).body).toEqual({ deleted_media: [one], total: 1 });
    const again = await send('DELETE', `/v1/media/test.local/${one}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ errcode: 'M_NOT_FOUND', error: 'Unknown media' });
  });

  it('a user that does not exist: 404 User not found / Unknown user, but 200 empty for joined_rooms and whois', async () => {
    const { get, send } = await world();
    const nobody = enc('@nobody:test.local');
    expect((await get(`/v2/users/${nobody}`)).body.error).toBe('User not found');
    expect((await get(`/v1/users/${nobody}/accountdata`)).body.error).toBe('User not found');
    expect((await get(`/v1/users/${nobody}/pushers`)).body.error).toBe('User not found');
    expect((await get(`/v2/users/${nobody}/devices`)).body.error).toBe('Unknown user');
    expect((await get(`/v1/users/${nobody}/media`)).body.error).toBe('Unknown user');
    expect((await send('DELETE', `/v1/users/${nobody}/media`)).body.error).toBe('Unknown user');
    expect((await get(`/v1/users/${nobody}/joined_rooms`)).body).toEqual({ joined_rooms: [], total: 0 });
    expect((await get(`/v1/whois/${nobody}`)).body).toEqual({ user_id: '@nobody:test.local', devices: { '': { sessions: [{ connections: [] }] } } });
  });

  it('PUT v2 user {threepids: []} answers 200 with the full user and removes the emails', async () => {
    const { send } = await world();
    const res = await send('PUT', `/v2/users/${enc(ALICE)}`, { threepids: [] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: ALICE, threepids: [], displayname: 'Alice' });
    expect(hs.model.user(ALICE)?.emails).toEqual([]);
  });

  it('admin devices include the login device; login-as adds none', async () => {
    const { get, send } = await world();
    const before = (await get(`/v2/users/${enc(ALICE)}/devices`)).body.total;
    await send('POST', `/v1/users/${enc(ALICE)}/login`, {});
    expect(before).toBe(1);
    expect((await get(`/v2/users/${enc(ALICE)}/devices`)).body.total).toBe(1);
  });

  it('admin accountdata leaves out room tags on Synapse', async () => {
    const { get, room } = await world();
    hs.model.setAccountData(ALICE, 'org.example.prefs', { a: 1 });
    hs.model.setAccountData(ALICE, 'org.example.note', { n: 1 }, room);
    hs.model.setRoomTag(ALICE, room, 'u.work');
    expect((await get(`/v1/users/${enc(ALICE)}/accountdata`)).body).toEqual({
      account_data: { global: { 'org.example.prefs': { a: 1 } }, rooms: { [room]: { 'org.example.note': { n: 1 } } } },
    });
  });

  it('synapse: keeps room tags apart from the account data the admin API lists (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: 'synapse-defaults' });
    await roomTagsApartFromAccountData(await factServerFor(hs));
  });

  it('admin room messages (current Synapse) bypass membership and filter by sender', async () => {
    const { get, room, bob } = await world('synapse');
    hs.model.sendMessage(room, ALICE, 'from alice');
    hs.model.sendMessage(room, bob.userId, 'from bob');
    const filter = enc(JSON.stringify({ senders: [bob.userId] }));
    const res = (await get(`/v1/rooms/${enc(room)}/messages?dir=b&limit=50&filter=${filter}`)).body;
    expect(res.chunk.map((e: { type: string; content: { body?: string } }) => e.content.body ?? e.type)).toEqual(['from bob', 'm.room.member']);
  });

  it('user redact (current Synapse): rooms [] means the rooms the user is in now; status reports completion', async () => {
    const { send, get, room, bob } = await world('synapse');
    const left = hs.model.createRoom(ALICE, { name: 'left' });
    const inLeft = hs.model.sendMessage(left, ALICE, 'in a room she left');
    hs.model.leave(left, ALICE);
    const kept = hs.model.sendMessage(room, bob.userId, 'bob stays');
    const gone = hs.model.sendMessage(room, ALICE, 'alice goes');
    const { redact_id } = (await send('POST', `/v1/user/${enc(ALICE)}/redact`, { rooms: [], reason: 'erasure' })).body;
    let status = '';
    for (let i = 0; i < 50 && status !== 'complete'; i++) {
      status = (await get(`/v1/user/redact_status/${redact_id}`)).body.status;
      if (status !== 'complete') await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe('complete');
    const content = (id: string, r: string) => hs.model.events(r).find((e) => e.event_id === id)?.content;
    expect(content(gone, room)).toEqual({});
    expect(content(kept, room)).toEqual({ msgtype: 'm.text', body: 'bob stays' });
    expect(content(inLeft, left)).toEqual({ msgtype: 'm.text', body: 'in a room she left' });
    expect((await get('/v1/user/redact_status/nope')).status).toBe(404);
  });

  it('shared-secret registration: nonce, then HMAC-SHA1; a wrong MAC is refused', async () => {
    await world();
    const nonce = (await call(hs.url, 'GET', `${A}/v1/register`)).body.nonce as string;
    const mac = createHmac('sha1', hs.registrationSecret).update(`${nonce}\0dave\0pw\0notadmin`).digest('hex');
    const bad = await call(hs.url, 'POST', `${A}/v1/register`, { body: { nonce, username: 'dave', password: 'pw', admin: false, mac: '00' } });
    expect(bad.status).toBe(403);
    const nonce2 = (await call(hs.url, 'GET', `${A}/v1/register`)).body.nonce as string;
    const mac2 = createHmac('sha1', hs.registrationSecret).update(`${nonce2}\0dave\0pw\0notadmin`).digest('hex');
    expect(mac2).not.toBe(mac);
    const ok = await call(hs.url, 'POST', `${A}/v1/register`, { body: { nonce: nonce2, username: 'dave', password: 'pw', admin: false, mac: mac2 } });
    expect(ok.body).toMatchObject({ user_id: '@dave:test.local', home_server: 'test.local' });
    expect(hs.model.user('@dave:test.local')?.devices.has(ok.body.device_id)).toBe(true);
  });
});

describe('deactivation', () => {
  function seedAliceData(room: string): void {
    hs.model.setAccountData(ALICE, 'org.example.prefs', { a: 1 });
    // Set from Alice's device, as a client sets it (Tuwunel removes it with the device).
    const deviceId = [...hs.model.user(ALICE)!.devices.keys()][0];
    hs.model.addPusher(ALICE, { kind: 'http', app_id: 'a', pushkey: 'k', app_display_name: 'A', device_display_name: 'D', lang: 'en', data: {}, deviceId });
    hs.model.uploadMedia(ALICE, { contentType: 'text/plain', bytes: Buffer.from('x') });
    hs.model.sendMessage(room, ALICE, 'hello');
  }

  it('Synapse 1.67 with erase: tokens, devices, pushers, emails, account data and profile go; rooms are left ~0.5 s later; media and messages stay', async () => {
    const { send, alice, room } = await world('synapse-1.67');
    seedAliceData(room);
    expect((await send('POST', `/v1/deactivate/${enc(ALICE)}`, { erase: true })).body).toEqual({ id_server_unbind_result: 'success' });
    const user = hs.model.user(ALICE);
    expect(user?.devices.size).toBe(0);
    expect(user?.pushers).toEqual([]);
    expect(user?.emails).toEqual([]);
    expect(user?.accountData.size).toBe(0);
    expect(user?.displayName).toBeNull();
    expect(user?.erasedAt).not.toBeNull();
    expect((await call(hs.url, 'GET', '/_matrix/client/v3/account/whoami', { token: alice.accessToken })).status).toBe(401);
    // Still joined right after the call, as recorded; left a moment later.
    expect(hs.model.membership(room, ALICE)).toBe('join');
    await new Promise((r) => setTimeout(r, 600));
    expect(hs.model.membership(room, ALICE)).toBe('leave');
    expect(hs.model.mediaOf(ALICE)).toHaveLength(1);
    expect(hs.model.events(room).some((e) => e.content['body'] === 'hello')).toBe(true);
  });

  it('Tuwunel HTTP deactivate with erase: access removed and erased, but rooms, profile and emails stay', async () => {
    const { send, room } = await world('tuwunel');
    seedAliceData(room);
    await send('POST', `/v1/deactivate/${enc(ALICE)}`, { erase: true });
    const user = hs.model.user(ALICE);
    expect(user?.devices.size).toBe(0);
    expect(user?.pushers).toEqual([]);
    expect(user?.deactivated).toBe(true);
    expect(user?.erasedAt).not.toBeNull();
    expect(user?.emails.map((e) => e.address)).toEqual(['a@example.org']);
    expect(user?.displayName).toBe('Alice');
    expect(user?.accountData.size).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(hs.model.membership(room, ALICE)).toBe('join');
    const v2 = (await call(hs.url, 'GET', `${A}/v2/users/${enc(ALICE)}`, { token: hs.model.login('@admin:test.local').accessToken })).body;
    expect(v2).toMatchObject({ deactivated: true, erased: true });
  });
});
