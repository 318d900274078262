// Found while modelling issue 15 (item 5, "whatever else"): current Synapse reads /messages
// forward from the beginning of the room when `from` is missing, and `dir` defaults to `f`,
// for clients and admins alike (measured on 1.160; 1.67 started at the end and found nothing).
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

export async function messagesWithoutFromReadForward(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const room = await person.createRoom({ name: 'paging' });
  await person.say(room, 'the last word');
  const types = (answer: { json: { chunk: Array<{ type: string }> } }) => answer.json.chunk.map((e) => e.type);
  for (const query of ['limit=2', 'limit=2&dir=f']) {
    expect(types(await person.call('GET', `/_matrix/client/v3/rooms/${enc(room)}/messages?${query}`)), query).toEqual(['m.room.create', 'm.room.member']);
    expect(types(await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}/messages?${query}`)), query).toEqual(['m.room.create', 'm.room.member']);
  }
  expect(types(await person.call('GET', `/_matrix/client/v3/rooms/${enc(room)}/messages?limit=1&dir=b`))).toEqual(['m.room.message']);
  expect(types(await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}/messages?limit=1&dir=b`))).toEqual(['m.room.message']);
}
