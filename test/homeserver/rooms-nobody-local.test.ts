// Fact 1 of issue 15, item 5: when the last local member leaves a room, Synapse drops its
// current state; Tuwunel keeps it. The Synapse scenario is the one the real tier runs
// (test/real/homeserver-facts.test.ts) against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { stateDroppedWhenLastLocalMemberLeaves } from '../support/homeserver-facts/rooms-nobody-local.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

/** A person who made a room alone, wrote and left; the admin's token. */
async function aloneRoom(flavour: 'synapse-1.67' | 'tuwunel') {
  hs = await startTestHomeserver({ flavour });
  const admin = hs.model.addUser({ localpart: 'admin', admin: true });
  const person = hs.model.addUser({ localpart: 'person' });
  const room = hs.model.createRoom(person.userId, { name: 'alone' });
  hs.model.sendMessage(room, person.userId, 'alone message');
  hs.model.leave(room, person.userId);
  const get = (path: string) => call(hs.url, 'GET', `/_synapse/admin${path}`, { token: admin.accessToken });
  const post = (path: string, body: unknown) => call(hs.url, 'POST', `/_synapse/admin${path}`, { token: admin.accessToken, body });
  return { admin, person, room, get, post };
}

describe('a room nobody local is in any more', () => {
  it('synapse: fact 1, current state dropped when the last local member leaves (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await stateDroppedWhenLastLocalMemberLeaves(await factServerFor(hs));
  });

  it('synapse-1.67: the state is gone as well; there is no /memberships to miss the room', async () => {
    const { room, get, post } = await aloneRoom('synapse-1.67');
    expect((await get(`/v1/rooms/${enc(room)}/state`)).body).toEqual({ state: [] });
    expect((await get(`/v1/rooms/${enc(room)}`)).body).toMatchObject({ name: null, join_rules: null, joined_local_members: 0 });
    expect((await post(`/v1/rooms/${enc(room)}/make_room_admin`, {})).body).toEqual({ errcode: 'M_UNKNOWN', error: 'Server not in room' });
  });

  it('tuwunel: keeps the state, so /memberships, /state and the details still show the room', async () => {
    const { person, room, get } = await aloneRoom('tuwunel');
    expect((await get(`/v1/users/${enc(person.userId)}/memberships`)).body.memberships).toEqual({ [room]: 'leave' });
    expect((await get(`/v1/rooms/${enc(room)}/state`)).body.state.length).toBeGreaterThan(0);
    expect((await get(`/v1/rooms/${enc(room)}`)).body).toMatchObject({ name: 'alone', join_rules: 'invite', joined_local_members: 0 });
  });
});
