// Fact 2 (issue 15, item 5): a room the person joined, wrote in, left and forgot, while a
// friend stays. Measured on Synapse 1.160: /memberships still lists it as "leave", a login-as
// sync with include_leave does not list it, and the admin /messages still has the message.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

export async function forgottenRoomOnSynapse(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const friend = await server.register(uniqueName('friend'));
  const forgotten = await friend.roomWith([person], 'forgotten');
  const message = await person.say(forgotten, 'forgotten message');
  await person.leave(forgotten);
  await person.forget(forgotten);

  const memberships = await server.asAdmin('GET', `/_synapse/admin/v1/users/${enc(person.userId)}/memberships`);
  expect(memberships.json.memberships).toEqual({ [forgotten]: 'leave' });

  const token = await person.loginAs();
  const filter = enc(JSON.stringify({ room: { include_leave: true, timeline: { limit: 1 } } }));
  const sync = await server.ok('GET', `/_matrix/client/v3/sync?filter=${filter}`, { token });
  expect(sync.rooms?.leave?.[forgotten]).toBeUndefined();
  expect(sync.rooms?.join?.[forgotten]).toBeUndefined();

  const senders = enc(JSON.stringify({ senders: [person.userId] }));
  const messages = await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(forgotten)}/messages?dir=b&limit=10&filter=${senders}`);
  expect(messages.json.chunk.map((e: { event_id: string }) => e.event_id)).toContain(message);
  // The room is not forgotten as a whole: the friend is still in it.
  expect((await server.asAdmin('GET', `/_synapse/admin/v1/rooms/${enc(forgotten)}`)).json).toMatchObject({ forgotten: false, joined_local_members: 1 });
}
