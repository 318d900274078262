// Redacting in a room the user has left, on a server without the redact endpoint, exactly
// as measured on a real Synapse 1.67 (see "Redacting in rooms the user has left" in the
// reference): every shortcut is refused, and one sequence works.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function leftRoom() {
  hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
  const m = hs.model;
  const bot = m.addUser({ localpart: 'privacybot', admin: true });
  const alice = m.addUser({ localpart: 'alice' });
  const bob = m.addUser({ localpart: 'bob' });
  // A private room made by another local user; Alice joins, speaks, leaves.
  const room = m.createRoom(bob.userId, { name: 'private', invite: [alice.userId] });
  m.join(room, alice.userId);
  const message = m.sendMessage(room, alice.userId, 'something Alice regrets');
  m.leave(room, alice.userId);
  const admin = (method: string, path: string, body: unknown = {}) =>
    call(hs.url, method, `/_synapse/admin${path}`, method === 'GET' ? { token: bot.accessToken } : { token: bot.accessToken, body });
  const puppet = (await admin('POST', `/v1/users/${enc(alice.userId)}/login`, { valid_until_ms: Date.now() + 60_000 })).body.access_token as string;
  const redactAs = (token: string) =>
    call(hs.url, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/redact/${enc(message)}/t${Math.random()}`, { token, body: {} });
  return { m, bot, alice, bob, room, message, admin, puppet, redactAs };
}

describe('redacting in a room the user left (Synapse 1.67)', () => {
  it('refuses the user’s own token there, and refuses the admin join while the admin is not in the room', async () => {
    const { alice, room, admin, puppet, redactAs } = await leftRoom();
    expect(await redactAs(puppet)).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN', error: `User ${alice.userId} not in room ${room} (None)` } });
    expect((await admin('POST', `/v1/join/${enc(room)}`, { user_id: alice.userId })).status).toBe(403);
  });

  it('works in the measured order: make_room_admin, the bot joins, the user is joined, redacts, leaves, the bot leaves', async () => {
    const { m, bot, alice, room, message, admin, puppet, redactAs } = await leftRoom();
    expect((await admin('POST', `/v1/rooms/${enc(room)}/make_room_admin`, { user_id: bot.userId })).status).toBe(200);
    expect(m.membership(room, bot.userId)).toBe('invite');
    expect(m.powerLevel(room, bot.userId)).toBe(100);
    expect((await call(hs.url, 'POST', `/_matrix/client/v3/join/${enc(room)}`, { token: bot.accessToken, body: {} })).status).toBe(200);
    expect((await admin('POST', `/v1/join/${enc(room)}`, { user_id: alice.userId })).status).toBe(200);
    expect((await redactAs(puppet)).status).toBe(200);
    expect((await call(hs.url, 'POST', `/_matrix/client/v3/rooms/${enc(room)}/leave`, { token: puppet, body: {} })).status).toBe(200);
    expect((await call(hs.url, 'POST', `/_matrix/client/v3/rooms/${enc(room)}/leave`, { token: bot.accessToken, body: {} })).status).toBe(200);
    const context = await admin('GET', `/v1/rooms/${enc(room)}/context/${enc(message)}?limit=0`);
    expect(context.body.event.content).toEqual({});
    expect(context.body.event.unsigned.redacted_because.sender).toBe(alice.userId);
  });

  it('lets a member with power redact someone else’s event, and nobody without it', async () => {
    const { m, bot, room, message, admin, redactAs } = await leftRoom();
    const carol = m.addUser({ localpart: 'carol' });
    m.invite(room, '@bob:test.local', carol.userId);
    m.join(room, carol.userId);
    expect((await redactAs(carol.accessToken)).body).toMatchObject({ errcode: 'M_FORBIDDEN' });
    await admin('POST', `/v1/rooms/${enc(room)}/make_room_admin`, { user_id: bot.userId });
    m.join(room, bot.userId);
    expect((await redactAs(bot.accessToken)).status).toBe(200);
    expect(m.findEvent(room, message)?.redactedBy?.sender).toBe(bot.userId);
  });

  it('make_room_admin needs a local member with power: a room made on another server may have none', async () => {
    const { m, admin, bot } = await leftRoom();
    m.addRemoteUser('@zoe:remote.example');
    const remote = m.createRoom('@zoe:remote.example', { name: 'elsewhere', invite: ['@alice:test.local'] });
    m.join(remote, '@alice:test.local');
    const refused = await admin('POST', `/v1/rooms/${enc(remote)}/make_room_admin`, { user_id: bot.userId });
    // Synapse looks for local users in the power levels' users map; Alice, joined at level 0, is not there.
    expect(refused).toMatchObject({ status: 400, body: { errcode: 'M_UNKNOWN', error: 'No local admin user in room' } });
  });

  it('Tuwunel before 1.8.1 has neither endpoint (from 1.8.1 it has both: tuwunel-erasure-facts.test.ts)', async () => {
    await hs?.close();
    hs = await startTestHomeserver({ flavour: 'tuwunel', version: '1.8.0' });
    const bot = hs.model.addUser({ localpart: 'privacybot', admin: true });
    const answer = await call(hs.url, 'POST', `/_synapse/admin/v1/rooms/${enc('!x:test.local')}/make_room_admin`, { token: bot.accessToken, body: {} });
    expect(answer).toMatchObject({ status: 404, body: { errcode: 'M_UNRECOGNIZED' } });
  });
});
