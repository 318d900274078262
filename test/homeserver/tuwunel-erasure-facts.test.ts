// Fact 10 of issue 15, item 5: Tuwunel 1.9.0 as its source reads (not run here): erasure prunes
// the admin's own reads, MSC3391's account-data delete, make_room_admin and the admin join from
// 1.8.1, and the admin room's one-at-a-time command queue.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import type { AdminRoomSettings } from '../../src/test-homeserver/tuwunel-admin-room.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function world(flavour: 'tuwunel' | 'synapse' = 'tuwunel', adminRoom: AdminRoomSettings = {}) {
  hs = await startTestHomeserver({ flavour, adminRoom });
  const m = hs.model;
  const bot = m.addUser({ localpart: 'privacybot', admin: true });
  const alice = m.addUser({ localpart: 'alice', displayName: 'Alice' });
  const bob = m.addUser({ localpart: 'bob' });
  const admin = (method: string, path: string, body?: unknown) =>
    call(hs.url, method, `/_synapse/admin${path}`, { token: bot.accessToken, ...(body === undefined ? {} : { body }) });
  return { m, bot, alice, bob, admin };
}

describe('Tuwunel: erasure prunes the admin reads (src/service/rooms/state_accessor/erased.rs)', () => {
  it("after deactivation with erase, the admin /messages and /context serve the erased person's events pruned, without unsigned, unless the admin was joined then", async () => {
    const { m, bot, alice, bob, admin } = await world();
    const room = m.createRoom(bob.userId, { invite: [alice.userId] });
    m.join(room, alice.userId);
    const before = m.sendMessage(room, alice.userId, 'before the admin came');
    const redacted = m.sendMessage(room, alice.userId, 'redacted before');
    m.redact(room, alice.userId, redacted);
    const fromBob = m.sendMessage(room, bob.userId, 'bob stays readable');
    m.invite(room, bob.userId, bot.userId);
    m.join(room, bot.userId);
    const whileJoined = m.sendMessage(room, alice.userId, 'while the admin was there');
    expect((await admin('POST', `/v1/deactivate/${enc(alice.userId)}`, { erase: true })).status).toBe(200);

    const page = (await admin('GET', `/v1/rooms/${enc(room)}/messages?dir=b&limit=50`)).body.chunk as Array<Record<string, any>>;
    const byId = (id: string) => page.find((e) => e.event_id === id)!;
    expect(byId(before).content).toEqual({});
    expect(byId(before).unsigned).toBeUndefined();
    // A redacted event loses its redaction too: nothing tells the two apart.
    expect(byId(redacted).content).toEqual({});
    expect(byId(redacted).unsigned).toBeUndefined();
    expect(byId(fromBob).content).toEqual({ msgtype: 'm.text', body: 'bob stays readable' });
    expect(byId(whileJoined).content).toEqual({ msgtype: 'm.text', body: 'while the admin was there' });
    const context = (await admin('GET', `/v1/rooms/${enc(room)}/context/${enc(before)}?limit=0`)).body;
    expect(context.event.content).toEqual({});
    // Members who were there still read it, and fetch_event has it whole.
    const asBob = await call(hs.url, 'GET', `/_matrix/client/v3/rooms/${enc(room)}/event/${enc(before)}`, { token: bob.accessToken });
    expect(asBob.body.content).toEqual({ msgtype: 'm.text', body: 'before the admin came' });
    expect((await admin('GET', `/v1/fetch_event/${enc(before)}`)).body.event.content).toEqual({ msgtype: 'm.text', body: 'before the admin came' });
  });

  it('synapse: the admin reads are not pruned', async () => {
    const { m, alice, admin } = await world('synapse');
    const room = m.createRoom(alice.userId);
    const said = m.sendMessage(room, alice.userId, 'kept for the admin');
    await admin('POST', `/v1/deactivate/${enc(alice.userId)}`, { erase: true });
    const page = (await admin('GET', `/v1/rooms/${enc(room)}/messages?dir=b&limit=50`)).body.chunk as Array<Record<string, any>>;
    expect(page.find((e) => e.event_id === said)?.content).toEqual({ msgtype: 'm.text', body: 'kept for the admin' });
  });
});

describe('Tuwunel: MSC3391 account-data delete (router.rs l.246–247)', () => {
  it("DELETE under /_matrix/client/unstable/org.matrix.msc3391 with the person's token: gone for GET and initial sync, {} in incremental sync and the admin listing", async () => {
    const { m, alice, bob, admin } = await world();
    const room = m.createRoom(alice.userId);
    const u = enc(alice.userId);
    const put = (path: string, body: unknown) => call(hs.url, 'PUT', `/_matrix/client/v3/user/${u}${path}`, { token: alice.accessToken, body });
    await put('/account_data/m.direct', { '@bob:test.local': [room] });
    await put(`/rooms/${enc(room)}/account_data/org.example.room`, { y: 2 });
    const since = (await call(hs.url, 'GET', '/_matrix/client/v3/sync', { token: alice.accessToken })).body.next_batch;
    const del = (path: string, token = alice.accessToken) => call(hs.url, 'DELETE', `/_matrix/client/unstable/org.matrix.msc3391/user/${u}${path}`, { token });
    expect(await del('/account_data/m.direct', bob.accessToken)).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN', error: 'You cannot delete account data for other users.' },
    });
    expect(await del('/account_data/m.direct')).toMatchObject({ status: 200, body: {} });
    expect(await del(`/rooms/${enc(room)}/account_data/org.example.room`)).toMatchObject({ status: 200, body: {} });
    expect((await call(hs.url, 'GET', `/_matrix/client/v3/user/${u}/account_data/m.direct`, { token: alice.accessToken })).status).toBe(404);
    expect(
      (await call(hs.url, 'GET', `/_matrix/client/v3/user/${u}/rooms/${enc(room)}/account_data/org.example.room`, { token: alice.accessToken })).status,
    ).toBe(404);
    const initial = (await call(hs.url, 'GET', '/_matrix/client/v3/sync', { token: alice.accessToken })).body;
    expect((initial.account_data?.events ?? []).map((e: { type: string }) => e.type)).not.toContain('m.direct');
    const incremental = (await call(hs.url, 'GET', `/_matrix/client/v3/sync?since=${since}`, { token: alice.accessToken })).body;
    expect(incremental.account_data.events).toContainEqual({ type: 'm.direct', content: {} });
    expect((await admin('GET', `/v1/users/${u}/accountdata`)).body.account_data.global['m.direct']).toEqual({});
  });

  it('synapse: no such route (404 unstable, 405 on v3)', async () => {
    const { alice } = await world('synapse');
    const u = enc(alice.userId);
    expect(
      (await call(hs.url, 'DELETE', `/_matrix/client/unstable/org.matrix.msc3391/user/${u}/account_data/m.direct`, { token: alice.accessToken })).status,
    ).toBe(404);
    expect((await call(hs.url, 'DELETE', `/_matrix/client/v3/user/${u}/account_data/m.direct`, { token: alice.accessToken })).status).toBe(405);
  });
});

describe('Tuwunel: make_room_admin and the admin join from 1.8.1 (src/service/admin/grant.rs)', () => {
  it('the most powerful local member invites, then grants its level; refusals are 400 M_INVALID_PARAM', async () => {
    const { m, bot, alice, bob, admin } = await world();
    const room = m.createRoom(bob.userId, { invite: [alice.userId] });
    m.join(room, alice.userId);
    m.sendMessage(room, alice.userId, 'hers');
    m.leave(room, alice.userId);
    const before = m.events(room).length;
    expect(await admin('POST', `/v1/rooms/${enc(room)}/make_room_admin`, { user_id: bot.userId })).toMatchObject({ status: 200, body: {} });
    expect(
      m
        .events(room)
        .slice(before)
        .map((e) => e.type),
    ).toEqual(['m.room.member', 'm.room.power_levels']);
    expect(m.membership(room, bot.userId)).toBe('invite');
    expect(m.powerLevel(room, bot.userId)).toBe(100);
    // The admin join: the person's own join, under the room's rules; an invite lets her in.
    expect(await admin('POST', `/v1/join/${enc(room)}`, { user_id: alice.userId })).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    m.invite(room, bob.userId, alice.userId);
    expect(await admin('POST', `/v1/join/${enc(room)}`, { user_id: alice.userId })).toMatchObject({ status: 200, body: { room_id: room } });
    expect(await admin('POST', `/v1/join/${enc(room)}`, { user_id: '@nobody:test.local' })).toMatchObject({ status: 404, body: { error: 'Unknown user' } });
    expect(await admin('POST', `/v1/join/${enc(room)}`, { user_id: '@zoe:remote.example' })).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM', error: 'User must be local to this server' },
    });

    const powerless = m.createRoom(bob.userId, { invite: [alice.userId] });
    m.join(powerless, alice.userId);
    m.leave(powerless, bob.userId);
    expect(await admin('POST', `/v1/rooms/${enc(powerless)}/make_room_admin`, { user_id: bot.userId })).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM', error: 'No local admin in room with power to update power levels' },
    });
    m.leave(powerless, alice.userId);
    expect(await admin('POST', `/v1/rooms/${enc(powerless)}/make_room_admin`, { user_id: bot.userId })).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM', error: 'Server not in room' },
    });
  });
});

describe('Tuwunel: the admin room runs commands one at a time (src/service/admin/mod.rs)', () => {
  it('users deactivate leaves one room per step; what comes after waits; the same command sent again runs again after the first', async () => {
    const { m, bot, alice } = await world('tuwunel', { deactivateRoomMs: 150 });
    const rooms = [m.createRoom(alice.userId), m.createRoom(alice.userId), m.createRoom(alice.userId)];
    const adminRoom = m.adminRoomId!;
    const send = async (line: string) =>
      (
        await call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(adminRoom)}/send/m.room.message/${Math.random()}`, {
          token: bot.accessToken,
          body: { msgtype: 'm.text', body: line },
        })
      ).body.event_id as string;
    const replyTo = (id: string) =>
      m.waitForEvent((e) => e.sender === m.serverUserId && (e.content['m.relates_to'] as any)?.['m.in_reply_to']?.event_id === id, 5000, `the reply to ${id}`);
    const started = Date.now();
    const first = await send(`!admin users deactivate ${alice.userId}`);
    const again = await send(`!admin users deactivate ${alice.userId}`);
    const erasure = await send(`!admin users erasure ${alice.userId}`);
    // A while in, some rooms are left and not others: the effect shows before the answer.
    await new Promise((r) => setTimeout(r, 250));
    const left = rooms.filter((r) => m.membership(r, alice.userId) === 'leave').length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(3);
    const [firstReply, againReply, erasureReply] = [await replyTo(first), await replyTo(again), await replyTo(erasure)];
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(String(firstReply.content['body'])).toContain(`User ${alice.userId} has been deactivated`);
    expect(String(againReply.content['body'])).toContain(`User ${alice.userId} has been deactivated`);
    const order = m.events(adminRoom).map((e) => e.event_id);
    expect(order.indexOf(firstReply.event_id)).toBeLessThan(order.indexOf(againReply.event_id));
    expect(order.indexOf(againReply.event_id)).toBeLessThan(order.indexOf(erasureReply.event_id));
    for (const room of rooms) expect(m.membership(room, alice.userId)).toBe('leave');
  });
});
