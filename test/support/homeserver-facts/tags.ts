// Room tags are not account data on Synapse: a tag set with PUT /user/{u}/rooms/{r}/tags/{tag}
// is served by GET .../tags and in sync, and the admin API's account data leaves it out (Tuwunel
// keeps tags as room account data, and lists them: flavours.ts, accountDataIncludesTags).
// Measured on Synapse 1.160.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

export async function roomTagsApartFromAccountData(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('tagger'));
  const me = enc(person.userId);
  const room = (await person.ok('POST', '/_matrix/client/v3/createRoom', {})).room_id as string;
  await person.ok('PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(room)}/tags/u.work`, { order: 0.5 });
  await person.ok('PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(room)}/account_data/org.example.note`, { note: 'mine' });

  expect(await person.ok('GET', `/_matrix/client/v3/user/${me}/rooms/${enc(room)}/tags`)).toEqual({ tags: { 'u.work': { order: 0.5 } } });
  const stored = (await server.ok('GET', `/_synapse/admin/v1/users/${me}/accountdata`, { token: server.admin.accessToken })).account_data;
  expect(stored.rooms[room]).toEqual({ 'org.example.note': { note: 'mine' } });
}
