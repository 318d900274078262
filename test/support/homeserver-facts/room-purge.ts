// Fact 4 (issue 15, item 5): deleting a room with purge (DELETE /_synapse/admin/v2/rooms/{r})
// and following it by its delete ID or by the room; measured on Synapse 1.160.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName, waitUntil } from './server.ts';

const A = '/_synapse/admin';
const NOBODY_KICKED = { kicked_users: [], failed_to_kick_users: [], local_aliases: [], new_room_id: null };

export async function deleteRoom(server: FactServer, roomId: string, body: Record<string, unknown> = { purge: true }): Promise<any> {
  const started = await server.asAdmin('DELETE', `${A}/v2/rooms/${enc(roomId)}`, body);
  expect(started.status).toBe(200);
  expect(Object.keys(started.json)).toEqual(['delete_id']);
  const id = started.json.delete_id as string;
  return waitUntil(
    `deletion ${id}`,
    async () => (await server.asAdmin('GET', `${A}/v2/rooms/delete_status/${id}`)).json,
    (s) => s.status === 'complete' || s.status === 'failed',
  );
}

export async function roomDeletionWithPurge(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const friend = await server.register(uniqueName('friend'));
  const alone = await person.createRoom({ name: 'alone' });
  const message = await person.say(alone, 'alone message');
  await person.leave(alone);
  expect((await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}`)).json.joined_local_members).toBe(0);

  const status = await deleteRoom(server, alone);
  expect(status).toEqual({ delete_id: expect.any(String), room_id: alone, status: 'complete', shutdown_room: NOBODY_KICKED });
  expect((await server.asAdmin('GET', `${A}/v2/rooms/${enc(alone)}/delete_status`)).json).toEqual({ results: [status] });

  // Gone: details and state 404, the event nowhere, nothing lists the room any more.
  const roomNotFound = { status: 404, json: { errcode: 'M_NOT_FOUND', error: 'Room not found' } };
  expect(await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}`)).toMatchObject(roomNotFound);
  expect(await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}/state`)).toMatchObject(roomNotFound);
  expect(await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}/context/${enc(message)}?limit=0`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'Event not found.' },
  });
  const page = await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}/messages?dir=b&limit=10`);
  expect(page.status).toBe(200);
  expect(page.json.chunk).toEqual([]);
  expect((await server.asAdmin('GET', `${A}/v1/rooms?search_term=${enc(alone)}`)).json.rooms).toEqual([]);
  expect((await server.asAdmin('GET', `${A}/v1/users/${enc(person.userId)}/memberships`)).json.memberships[alone]).toBeUndefined();
  const token = await person.loginAs();
  const sync = await server.ok('GET', `/_matrix/client/v3/sync?filter=${enc(JSON.stringify({ room: { include_leave: true, timeline: { limit: 3 } } }))}`, {
    token,
  });
  expect(sync.rooms?.leave?.[alone]).toBeUndefined();
  // The person's client: the event is not found; the room's messages are not theirs to read.
  expect(await person.call('GET', `/_matrix/client/v3/rooms/${enc(alone)}/event/${enc(message)}`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'Event not found.' },
  });
  expect(await person.call('GET', `/_matrix/client/v3/rooms/${enc(alone)}/messages?dir=b`)).toMatchObject({
    status: 403,
    json: { errcode: 'M_FORBIDDEN', error: `User ${person.userId} not in room ${alone}, and room previews are disabled` },
  });

  // A room with members: each local member leaves and is listed as kicked; `purge` defaults to true.
  const shared = await person.roomWith([friend], 'shared');
  await person.say(shared, 'shared message');
  const kicked = await deleteRoom(server, shared, {});
  expect(kicked.status).toBe('complete');
  expect([...kicked.shutdown_room.kicked_users].sort()).toEqual([person.userId, friend.userId].sort());
  expect(kicked.shutdown_room.failed_to_kick_users).toEqual([]);
  expect((await friend.ok('GET', '/_matrix/client/v3/joined_rooms')).joined_rooms).not.toContain(shared);
  expect((await server.asAdmin('GET', `${A}/v1/rooms/${enc(shared)}`)).status).toBe(404);

  // A room the server does not know completes with nobody kicked.
  const unknown = `!unknown${Date.now()}:${server.serverName}`;
  expect(await deleteRoom(server, unknown)).toMatchObject({ room_id: unknown, status: 'complete', shutdown_room: NOBODY_KICKED });

  expect(await server.asAdmin('DELETE', `${A}/v2/rooms/notaroom`, {})).toMatchObject({
    status: 400,
    json: { errcode: 'M_UNKNOWN', error: 'notaroom is not a legal room ID' },
  });
  expect(await server.asAdmin('DELETE', `${A}/v2/rooms/${enc(unknown)}`, { purge: 'yes' })).toMatchObject({
    status: 400,
    json: { errcode: 'M_BAD_JSON', error: "Param 'purge' must be a boolean, if given" },
  });
  expect(await server.asAdmin('GET', `${A}/v2/rooms/delete_status/nope`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: "delete id 'nope' not found" },
  });
  const never = `!never${Date.now()}:${server.serverName}`;
  expect(await server.asAdmin('GET', `${A}/v2/rooms/${enc(never)}/delete_status`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: `No delete task for room_id '${never}' found` },
  });
}
