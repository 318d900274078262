// Room tags are not account data on Synapse: a tag set with PUT /user/{u}/rooms/{r}/tags/{tag}
// is served by GET .../tags and in sync, and the admin API's account data leaves it out (Tuwunel
// keeps tags as room account data, and lists them: flavours.ts, accountDataIncludesTags).
// Measured on Synapse 1.160.
import { expect } from 'vitest';
import { enc, ok, uniqueName, type FactTarget } from './target.ts';

export async function roomTagsApartFromAccountData(target: FactTarget): Promise<void> {
  const person = await target.register(uniqueName('tagger'));
  await target.liftRateLimits(person.userId);
  const token = person.accessToken;
  const me = enc(person.userId);
  const room = (await ok(target, 'POST', '/_matrix/client/v3/createRoom', { token, body: {} })).room_id as string;
  await ok(target, 'PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(room)}/tags/u.work`, { token, body: { order: 0.5 } });
  await ok(target, 'PUT', `/_matrix/client/v3/user/${me}/rooms/${enc(room)}/account_data/org.example.note`, { token, body: { note: 'mine' } });

  expect(await ok(target, 'GET', `/_matrix/client/v3/user/${me}/rooms/${enc(room)}/tags`, { token })).toEqual({ tags: { 'u.work': { order: 0.5 } } });
  const stored = (await ok(target, 'GET', `/_synapse/admin/v1/users/${me}/accountdata`, { token: target.admin.accessToken })).account_data;
  expect(stored.rooms[room]).toEqual({ 'org.example.note': { note: 'mine' } });
}
