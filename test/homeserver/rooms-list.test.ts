// Fact 3 of issue 15, item 5: the admin rooms list. The Synapse scenario is the one the real
// tier runs against a real Synapse 1.160; Tuwunel's differences come from its 1.9.0 source.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { roomsListOnSynapse } from '../support/homeserver-facts/rooms-list.ts';
import { factServerFor } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

describe('GET /_synapse/admin/v1/rooms', () => {
  it('synapse: fact 3, every room with its counts, paged, sorted and searched as Synapse does (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await roomsListOnSynapse(await factServerFor(hs));
  });

  it('synapse-1.67: the list is there too', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse-1.67' });
    const admin = hs.model.addUser({ localpart: 'admin', admin: true });
    const room = hs.model.createRoom(admin.userId, { name: 'one' });
    const answer = await call(hs.url, 'GET', '/_synapse/admin/v1/rooms', { token: admin.accessToken });
    expect(answer.body).toMatchObject({ offset: 0, total_rooms: 1, rooms: [{ room_id: room, name: 'one', joined_local_members: 1 }] });
  });

  it('tuwunel: fact 3, every column ascending and dir=b reverses; the state stays; the search lower-cases the term even for room IDs', async () => {
    hs = await startTestHomeserver({ flavour: 'tuwunel' });
    const m = hs.model;
    const admin = m.addUser({ localpart: 'admin', admin: true });
    const alice = m.addUser({ localpart: 'alice' });
    const bob = m.addUser({ localpart: 'bob' });
    const carol = m.addUser({ localpart: 'carol' });
    const big = m.createRoom(alice.userId, { name: 'big', invite: [bob.userId, carol.userId] });
    m.join(big, bob.userId);
    m.join(big, carol.userId);
    const alone = m.createRoom(alice.userId, { name: 'alone' });
    m.leave(alone, alice.userId);
    const get = async (query: string) => (await call(hs.url, 'GET', `/_synapse/admin/v1/rooms?${query}`, { token: admin.accessToken })).body;
    const ids = (body: { rooms: Array<{ room_id: string }> }) => body.rooms.map((r) => r.room_id);
    // Ascending, unlike Synapse's descending member counts; the admin room is a room too.
    expect(ids(await get('order_by=joined_local_members')).slice(0, 1)).toEqual([alone]);
    expect(ids(await get('order_by=joined_local_members&dir=b'))[0]).toBe(big);
    // Nobody local in it, yet its state is kept: name and rules stay.
    const row = (await get(`search_term=alone`)).rooms[0];
    expect(row).toMatchObject({ room_id: alone, name: 'alone', join_rules: 'invite', joined_local_members: 0, joined_members: 0 });
    // An empty term matches every room with a name or alias; a room ID with capitals never matches.
    expect((await get('search_term=')).total_rooms).toBe((await get('')).total_rooms);
    expect(/[A-Z]/.test(alone) ? (await get(`search_term=${enc(alone)}`)).rooms : []).toEqual([]);
    // An unknown order falls back to the name.
    expect(ids(await get('order_by=bogus'))).toEqual(ids(await get('order_by=name')));
    // empty_rooms counts local members.
    expect(ids(await get('empty_rooms=true'))).toEqual([alone]);
  });
});
