// Fact 4 of issue 15, item 5: deleting a room with purge, on each flavour. The Synapse scenario
// is the one the real tier runs against a real Synapse 1.160.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { roomDeletionWithPurge } from '../support/homeserver-facts/room-purge.ts';
import { factServerFor, waitUntil } from '../support/homeserver-facts/server.ts';
import { call, enc } from './test-helpers.ts';

let hs: TestHomeserver;
afterEach(async () => hs?.close());

async function world(flavour: 'synapse' | 'synapse-1.67' | 'tuwunel') {
  hs = await startTestHomeserver({ flavour, roomDeletionMs: 100 });
  const admin = hs.model.addUser({ localpart: 'admin', admin: true });
  const alice = hs.model.addUser({ localpart: 'alice' });
  const room = hs.model.createRoom(alice.userId, { name: 'room', alias: 'room' });
  const said = hs.model.sendMessage(room, alice.userId, 'to be purged');
  const admin$ = (method: string, path: string, body?: unknown) =>
    call(hs.url, method, `/_synapse/admin${path}`, { token: admin.accessToken, ...(body === undefined ? {} : { body }) });
  return { admin, alice, room, said, admin$ };
}

describe('deleting a room with purge', () => {
  it('synapse: fact 4, the room, its events and its memberships go; followed by delete ID or room (same scenario as the real tier)', async () => {
    hs = await startTestHomeserver({ flavour: 'synapse' });
    await roomDeletionWithPurge(await factServerFor(hs));
  });

  it('synapse: "active" while it runs, with no shutdown result yet; purge false only shuts the room down', async () => {
    const { alice, room, said, admin$ } = await world('synapse');
    const { delete_id } = (await admin$('DELETE', `/v2/rooms/${enc(room)}`, { purge: false })).body;
    const running = await waitUntil(
      'running',
      async () => (await admin$('GET', `/v2/rooms/${enc(room)}/delete_status`)).body,
      (b) => b.results !== undefined,
    );
    expect(running).toEqual({ results: [{ delete_id, room_id: room, status: 'active', shutdown_room: null }] });
    await waitUntil(
      'complete',
      async () => (await admin$('GET', `/v2/rooms/delete_status/${delete_id}`)).body,
      (b) => b.status === 'complete',
    );
    expect(hs.model.membership(room, alice.userId)).toBe('leave');
    expect(hs.model.findEvent(room, said)).toBeDefined();
  });

  it('synapse-1.67: the same API, "purging" while it runs', async () => {
    const { room, said, admin$ } = await world('synapse-1.67');
    const { delete_id } = (await admin$('DELETE', `/v2/rooms/${enc(room)}`, { purge: true })).body;
    const running = await waitUntil(
      'running',
      async () => (await admin$('GET', `/v2/rooms/delete_status/${delete_id}`)).body,
      (b) => b.status !== 'scheduled',
    );
    expect(running.status).toBe('purging');
    await waitUntil(
      'complete',
      async () => (await admin$('GET', `/v2/rooms/delete_status/${delete_id}`)).body,
      (b) => b.status === 'complete',
    );
    expect(hs.model.room(room)).toBeUndefined();
    expect(hs.model.findEvent(room, said)).toBeUndefined();
  });

  it('tuwunel: fact 4, members leave with "Room Deleted", the removed aliases are listed, the room is purged; unknown IDs have Tuwunel\'s texts', async () => {
    const { alice, room, admin$ } = await world('tuwunel');
    const leaves: unknown[] = [];
    hs.model.emitter.on('event', (e) => {
      if (e.type === 'm.room.member' && e.stateKey === alice.userId) leaves.push(e.content);
    });
    const { delete_id } = (await admin$('DELETE', `/v2/rooms/${enc(room)}`, {})).body;
    const done = await waitUntil(
      'complete',
      async () => (await admin$('GET', `/v2/rooms/delete_status/${delete_id}`)).body,
      (b) => b.status === 'complete',
    );
    expect(done).toEqual({
      delete_id,
      room_id: room,
      status: 'complete',
      shutdown_room: { kicked_users: [alice.userId], failed_to_kick_users: [], local_aliases: ['#room:test.local'], new_room_id: null },
    });
    expect(leaves).toEqual([{ membership: 'leave', reason: 'Room Deleted' }]);
    expect(hs.model.room(room)).toBeUndefined();
    expect(await admin$('GET', `/v1/rooms/${enc(room)}/messages?dir=b`)).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN', error: 'Room does not exist to this server' },
    });
    expect(await admin$('GET', '/v2/rooms/delete_status/nope')).toMatchObject({ status: 404, body: { error: 'Unknown delete task' } });
    expect(await admin$('GET', `/v2/rooms/${enc('!never:test.local')}/delete_status`)).toMatchObject({
      status: 404,
      body: { error: 'No delete task for this room found' },
    });
  });
});
