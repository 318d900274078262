// Fact 3 (issue 15, item 5): GET /_synapse/admin/v1/rooms, the list of every room the server
// knows (from, limit, order_by, dir, search_term), in the shape measured on Synapse 1.160. A
// room nobody local is in any more is still listed, with its state fields null.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

const ROW_KEYS = [
  'room_id',
  'name',
  'canonical_alias',
  'joined_members',
  'joined_local_members',
  'version',
  'creator',
  'encryption',
  'federatable',
  'public',
  'join_rules',
  'guest_access',
  'history_visibility',
  'state_events',
  'room_type',
];

export async function roomsListOnSynapse(server: FactServer): Promise<void> {
  const tag = uniqueName('list');
  const person = await server.register(uniqueName('person'));
  const friend = await server.register(uniqueName('friend'));
  const big = await person.roomWith([friend], `${tag} big`);
  const small = await friend.createRoom({ name: `${tag} small` });
  const alone = await person.createRoom({ name: `${tag} alone` });
  await person.say(alone, 'alone message');
  await person.leave(alone);
  const list = async (query: string) => {
    const answer = await server.asAdmin('GET', `/_synapse/admin/v1/rooms?${query}`);
    expect(answer.status, query).toBe(200);
    return answer.json;
  };
  const ids = (body: { rooms: Array<{ room_id: string }> }) => body.rooms.map((r) => r.room_id);

  // The alone room lost its name with its state, so the name search finds the other two, by name.
  const found = await list(`search_term=${enc(tag)}`);
  expect(found).toEqual({ offset: 0, total_rooms: 2, rooms: [expect.any(Object), expect.any(Object)] });
  expect(Object.keys(found.rooms[0]).sort()).toEqual([...ROW_KEYS].sort());
  expect(found.rooms).toEqual([
    {
      room_id: big,
      name: `${tag} big`,
      canonical_alias: null,
      joined_members: 2,
      joined_local_members: 2,
      version: expect.any(String),
      creator: person.userId,
      encryption: null,
      federatable: true,
      public: false,
      join_rules: 'invite',
      guest_access: 'can_join',
      history_visibility: 'shared',
      state_events: 8,
      room_type: null,
    },
    {
      room_id: small,
      name: `${tag} small`,
      canonical_alias: null,
      joined_members: 1,
      joined_local_members: 1,
      version: expect.any(String),
      creator: friend.userId,
      encryption: null,
      federatable: true,
      public: false,
      join_rules: 'invite',
      guest_access: 'can_join',
      history_visibility: 'shared',
      state_events: 7,
      room_type: null,
    },
  ]);
  // Case does not matter; paging by offset.
  expect(ids(await list(`search_term=${enc(tag.toUpperCase())}`))).toEqual([big, small]);
  const first = await list(`search_term=${enc(tag)}&limit=1`);
  expect(first).toMatchObject({ offset: 0, total_rooms: 2, next_batch: 1 });
  expect(first.prev_batch).toBeUndefined();
  expect(ids(first)).toEqual([big]);
  const second = await list(`search_term=${enc(tag)}&limit=1&from=1`);
  expect(second).toMatchObject({ offset: 1, total_rooms: 2, prev_batch: 0 });
  expect(second.next_batch).toBeUndefined();
  expect(ids(second)).toEqual([small]);
  // Orders: names ascending by default, reversed by dir=b; member counts descending.
  expect(ids(await list(`search_term=${enc(tag)}&dir=b`))).toEqual([small, big]);
  expect(ids(await list(`search_term=${enc(tag)}&order_by=joined_local_members`))).toEqual([big, small]);
  expect(ids(await list(`search_term=${enc(tag)}&order_by=joined_local_members&dir=b`))).toEqual([small, big]);

  // The room nobody local is in: found by its exact ID, its state fields null, its count kept.
  const orphan = await list(`search_term=${enc(alone)}`);
  expect(orphan.rooms).toEqual([
    {
      room_id: alone,
      name: null,
      canonical_alias: null,
      joined_members: 0,
      joined_local_members: 0,
      version: expect.any(String),
      creator: person.userId,
      encryption: null,
      federatable: true,
      public: false,
      join_rules: null,
      guest_access: null,
      history_visibility: null,
      state_events: 7,
      room_type: null,
    },
  ]);
  expect(ids(await list('empty_rooms=true'))).toContain(alone);
  expect(ids(await list('empty_rooms=false'))).not.toContain(alone);
  // The whole list has all of them.
  const all = await list('limit=1000');
  expect(ids(all)).toEqual(expect.arrayContaining([big, small, alone]));
  expect(all.total_rooms).toBe(all.rooms.length);

  const refused = (query: string) => server.asAdmin('GET', `/_synapse/admin/v1/rooms?${query}`);
  expect(await refused('search_term=')).toMatchObject({ status: 400, json: { errcode: 'M_INVALID_PARAM', error: 'search_term cannot be an empty string' } });
  expect(await refused('dir=x')).toMatchObject({ status: 400, json: { errcode: 'M_INVALID_PARAM', error: "Query parameter 'dir' must be one of ['b', 'f']" } });
  const badOrder = await refused('order_by=bogus');
  expect(badOrder.status).toBe(400);
  expect(badOrder.json.error).toMatch(/^Query parameter 'order_by' must be one of \['alphabetical', 'size', 'name', /);
}
