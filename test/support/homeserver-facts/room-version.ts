// Found while modelling issue 15 (item 5, "whatever else"): current Synapse creates room version
// 11 rooms (measured on 1.160): the create event has no `creator`, a redaction carries `redacts`
// in its content (and, for clients, at the top level too).
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

export async function roomVersionEleven(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  expect((await person.ok('GET', '/_matrix/client/v3/capabilities')).capabilities['m.room_versions'].default).toBe('11');
  const room = await person.createRoom({ name: 'v11' });
  const state = (await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}/state`)).json.state as Array<{
    type: string;
    content: unknown;
    sender: string;
  }>;
  const create = state.find((e) => e.type === 'm.room.create')!;
  expect(create.content).toEqual({ room_version: '11' });
  expect(create.sender).toBe(person.userId);
  expect((await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}`)).json).toMatchObject({ version: '11', creator: person.userId });
  const said = await person.say(room, 'to go');
  const redaction = (await person.ok('PUT', `/_matrix/client/v3/rooms/${enc(room)}/redact/${enc(said)}/v11`, { reason: 'gone' })).event_id;
  const page = (await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}/messages?dir=b&limit=5`)).json.chunk as Array<Record<string, any>>;
  const event = page.find((e) => e['event_id'] === redaction)!;
  expect(event).toMatchObject({ type: 'm.room.redaction', redacts: said, content: { redacts: said, reason: 'gone' } });
  expect(page.find((e) => e['event_id'] === said)!['content']).toEqual({});
}
