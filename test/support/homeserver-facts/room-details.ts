// Found while modelling issue 15 (item 5, "whatever else"), measured on Synapse 1.160: the admin
// room details carry `tombstoned` and `replacement_room` besides 1.67's fields, and a client
// send or redaction by someone no longer joined is refused with "User ... not in room ..."
// (1.67 added " (None)").
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

const DETAIL_KEYS = [
  'avatar',
  'canonical_alias',
  'creator',
  'encryption',
  'federatable',
  'forgotten',
  'guest_access',
  'history_visibility',
  'join_rules',
  'joined_local_devices',
  'joined_local_members',
  'joined_members',
  'name',
  'public',
  'replacement_room',
  'room_id',
  'room_type',
  'state_events',
  'tombstoned',
  'topic',
  'version',
];

export async function roomDetailsAndNotJoined(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const friend = await server.register(uniqueName('friend'));
  const room = await friend.roomWith([person], 'details');
  const said = await person.say(room, 'mine');
  const details = (await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(room)}`)).json;
  expect(Object.keys(details).sort()).toEqual(DETAIL_KEYS);
  expect(details).toMatchObject({
    room_id: room,
    name: 'details',
    topic: null,
    avatar: null,
    joined_members: 2,
    joined_local_members: 2,
    joined_local_devices: 2,
    forgotten: false,
    tombstoned: false,
    replacement_room: null,
  });

  await person.leave(room);
  const refused = { errcode: 'M_FORBIDDEN', error: `User ${person.userId} not in room ${room}` };
  expect(await person.call('PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/nj1`, { msgtype: 'm.text', body: 'x' })).toMatchObject({
    status: 403,
    json: refused,
  });
  expect(await person.call('PUT', `/_matrix/client/v3/rooms/${enc(room)}/redact/${enc(said)}/nj2`, {})).toMatchObject({ status: 403, json: refused });
}
