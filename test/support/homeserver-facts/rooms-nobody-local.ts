// Fact 1 (issue 15, item 5): Synapse drops a room's current state when its last local member
// leaves. A person creates a private room alone, writes, leaves; measured on Synapse 1.160.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

const A = '/_synapse/admin';
const CANNOT_JOIN = { errcode: 'M_UNKNOWN', error: "Can't join remote room because no servers that are in the room have been provided." };

export async function stateDroppedWhenLastLocalMemberLeaves(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'), { displayName: 'Person P' });
  const friend = await server.register(uniqueName('friend'));
  const alone = await person.createRoom({ name: 'alone' });
  const message = await person.say(alone, 'alone message');
  await person.leave(alone);
  // For contrast: a room the person left where a local member stays keeps its state.
  const shared = await friend.roomWith([person], 'shared');
  await person.leave(shared);

  const memberships = await server.asAdmin('GET', `${A}/v1/users/${enc(person.userId)}/memberships`);
  expect(memberships.status).toBe(200);
  expect(memberships.json.memberships).toEqual({ [shared]: 'leave' });

  expect(await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}/state`)).toMatchObject({ status: 200, json: { state: [] } });
  expect((await server.asAdmin('GET', `${A}/v1/rooms/${enc(shared)}/state`)).json.state.length).toBeGreaterThan(0);

  const details = await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}`);
  expect(details.status).toBe(200);
  expect(details.json).toMatchObject({
    room_id: alone,
    name: null,
    canonical_alias: null,
    joined_members: 0,
    joined_local_members: 0,
    join_rules: null,
    guest_access: null,
    history_visibility: null,
    encryption: null,
    creator: person.userId,
    joined_local_devices: 0,
  });
  expect((await server.asAdmin('GET', `${A}/v1/rooms/${enc(shared)}`)).json).toMatchObject({ name: 'shared', join_rules: 'invite' });

  expect(await server.asAdmin('POST', `${A}/v1/rooms/${enc(alone)}/make_room_admin`, { user_id: server.admin.userId })).toMatchObject({
    status: 400,
    json: { errcode: 'M_UNKNOWN', error: 'Server not in room' },
  });

  // Nobody gets back in: not the person through the admin join, not the admin, not the person's own client.
  expect(await server.asAdmin('POST', `${A}/v1/join/${enc(alone)}`, { user_id: person.userId })).toMatchObject({ status: 404, json: CANNOT_JOIN });
  expect(await server.asAdmin('POST', `${A}/v1/join/${enc(alone)}`, { user_id: server.admin.userId })).toMatchObject({ status: 404, json: CANNOT_JOIN });
  expect(await person.call('POST', `/_matrix/client/v3/join/${enc(alone)}`, {})).toMatchObject({ status: 404, json: CANNOT_JOIN });
  expect(await person.call('POST', `/_matrix/client/v3/rooms/${enc(alone)}/join`, {})).toMatchObject({ status: 404, json: CANNOT_JOIN });
  // ...nor can the person redact there.
  expect((await person.call('PUT', `/_matrix/client/v3/rooms/${enc(alone)}/redact/${enc(message)}/r1`, {})).status).toBe(403);

  // What still finds the room: a login-as sync with include_leave, and the admin /messages.
  const token = await person.loginAs();
  const filter = enc(JSON.stringify({ room: { include_leave: true, timeline: { limit: 1 } } }));
  const sync = await server.ok('GET', `/_matrix/client/v3/sync?filter=${filter}`, { token });
  expect(Object.keys(sync.rooms?.leave ?? {}).sort()).toEqual([alone, shared].sort());
  const senders = enc(JSON.stringify({ senders: [person.userId] }));
  const messages = await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}/messages?dir=b&limit=10&filter=${senders}`);
  expect(messages.status).toBe(200);
  expect(messages.json.chunk.map((e: { event_id: string }) => e.event_id)).toContain(message);
  // The person's own client still reads the room up to the leave.
  expect((await person.call('GET', `/_matrix/client/v3/rooms/${enc(alone)}/event/${enc(message)}`)).json.content).toEqual({
    msgtype: 'm.text',
    body: 'alone message',
  });
}
