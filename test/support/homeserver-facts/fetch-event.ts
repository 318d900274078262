// Fact 8 (issue 15, item 5): GET /_synapse/admin/v1/fetch_event/{event_id} (Synapse 1.140+)
// serves the stored event in the federation shape. Measured on Synapse 1.160: a redacted event
// comes back with its original content and no trace of the redaction (Synapse keeps the original
// for its redaction retention period), an erased sender's event likewise; a purged one is 404.
import { expect } from 'vitest';
import { deleteRoom } from './room-purge.ts';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

const RAW_KEYS = [
  'auth_events',
  'content',
  'depth',
  'event_id',
  'hashes',
  'origin_server_ts',
  'prev_events',
  'room_id',
  'sender',
  'signatures',
  'type',
  'unsigned',
];
const fetchEvent = (server: FactServer, eventId: string) => server.asAdmin('GET', `/_synapse/admin/v1/fetch_event/${enc(eventId)}`);

export async function fetchEventOnSynapse(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const friend = await server.register(uniqueName('friend'));
  const room = await person.roomWith([friend], 'fetch');
  const kept = await person.say(room, 'kept');
  const redacted = await person.say(room, 'to be redacted');
  expect((await person.call('PUT', `/_matrix/client/v3/rooms/${enc(room)}/redact/${enc(redacted)}/r1`, { reason: 'gone' })).status).toBe(200);

  const answer = await fetchEvent(server, kept);
  expect(answer.status).toBe(200);
  expect(Object.keys(answer.json)).toEqual(['event']);
  const event = answer.json.event;
  expect(Object.keys(event).sort()).toEqual(RAW_KEYS);
  expect(event).toMatchObject({ event_id: kept, room_id: room, sender: person.userId, type: 'm.room.message', content: { msgtype: 'm.text', body: 'kept' } });
  expect(Object.keys(event.unsigned)).toEqual(['age']);
  expect(event.prev_events).toHaveLength(1);
  expect(typeof event.depth).toBe('number');

  // Redacted, yet served whole: fetch_event is no proof of a redaction on Synapse.
  const stored = (await fetchEvent(server, redacted)).json.event;
  expect(stored.content).toEqual({ msgtype: 'm.text', body: 'to be redacted' });
  expect(Object.keys(stored.unsigned)).toEqual(['age']);
  // The admin context does show the redaction.
  expect((await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}/context/${enc(redacted)}?limit=0`)).json.event.content).toEqual({});

  // An erased sender's event is served whole as well.
  expect((await server.asAdmin('POST', `/_synapse/admin/v1/deactivate/${enc(person.userId)}`, { erase: true })).status).toBe(200);
  expect((await fetchEvent(server, kept)).json.event.content).toEqual({ msgtype: 'm.text', body: 'kept' });

  expect(await fetchEvent(server, '$nothing-here')).toMatchObject({ status: 404, json: { errcode: 'M_NOT_FOUND', error: 'Event not found' } });
  expect((await server.call('GET', `/_synapse/admin/v1/fetch_event/${enc(kept)}`, { token: friend.accessToken })).status).toBe(403);
  // Purged with its room: gone.
  await deleteRoom(server, room);
  expect((await fetchEvent(server, kept)).status).toBe(404);
}
