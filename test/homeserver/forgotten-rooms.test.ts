// Fact 2 of issue 15, item 5: what a forgotten room looks like to the admin. Synapse keeps it in
// /memberships (as "leave") but sync no longer lists it; Tuwunel drops it from /memberships.
// The Synapse scenario is the one the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { forgottenRoomOnSynapse } from '../support/homeserver-facts/forgotten-rooms.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('a room the person forgot', () => {
  it('synapse: fact 2, /memberships lists it as leave, sync with include_leave does not (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await forgottenRoomOnSynapse(await factServerFor(hs));
  });

  it('tuwunel: fact 2, forgotten rooms vanish from /memberships, bans read as leave', async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const m = hs.model;
    const admin = m.addUser({ localpart: 'admin', admin: true });
    const person = m.addUser({ localpart: 'person' });
    const friend = m.addUser({ localpart: 'friend' });
    const forgotten = m.createRoom(friend.userId, { invite: [person.userId] });
    const banned = m.createRoom(friend.userId, { invite: [person.userId] });
    for (const room of [forgotten, banned]) m.join(room, person.userId);
    m.sendMessage(forgotten, person.userId, 'forgotten message');
    m.leave(forgotten, person.userId);
    expect((await call(hs.url, 'POST', `/_matrix/client/v3/rooms/${enc(forgotten)}/forget`, { token: person.accessToken, body: {} })).status).toBe(200);
    m.sendEvent(banned, friend.userId, 'm.room.member', { membership: 'ban' }, { stateKey: person.userId });
    const answer = await call(hs.url, 'GET', `/_synapse/admin/v1/users/${enc(person.userId)}/memberships`, { token: admin.accessToken });
    expect(answer.body).toEqual({ memberships: { [banned]: 'leave' } });
  });
});
