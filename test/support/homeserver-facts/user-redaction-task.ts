// Fact 5 (issue 15, item 5): Synapse's user-redaction task (POST /_synapse/admin/v1/user/{u}/
// redact), as synapse/handlers/admin.py _redact_all_events runs it and as measured on 1.160:
// only messages, encrypted events and joins; each sent with the redacted event as its only prev
// event, so it succeeds in a room the person left and in one nobody local is in any more; its
// "already redacted" check never fires, so a second task redacts every event again.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName, waitUntil } from './server.ts';

const A = '/_synapse/admin';

export async function runRedactionTask(server: FactServer, userId: string, body: Record<string, unknown>): Promise<{ id: string; status: any }> {
  const started = await server.asAdmin('POST', `${A}/v1/user/${enc(userId)}/redact`, body);
  expect(started.status).toBe(200);
  const id = started.json.redact_id as string;
  const status = await waitUntil(
    `redaction task ${id}`,
    async () => (await server.asAdmin('GET', `${A}/v1/user/redact_status/${id}`)).json,
    (s) => s.status === 'complete' || s.status === 'failed',
  );
  return { id, status };
}

/** How many redaction events name each event of the room, as the admin API shows the room. */
export async function redactionCounts(server: FactServer, roomId: string): Promise<Map<string, number>> {
  const filter = enc(JSON.stringify({ types: ['m.room.redaction'] }));
  const answer = await server.asAdmin('GET', `${A}/v1/rooms/${enc(roomId)}/messages?dir=b&limit=500&filter=${filter}`);
  const counts = new Map<string, number>();
  for (const e of answer.json.chunk as Array<{ redacts?: string; content: { redacts?: string } }>) {
    const target = e.redacts ?? e.content.redacts ?? '';
    counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return counts;
}

async function joinEventOf(server: FactServer, roomId: string, userId: string): Promise<string> {
  const filter = enc(JSON.stringify({ types: ['m.room.member'], senders: [userId] }));
  const answer = await server.asAdmin('GET', `${A}/v1/rooms/${enc(roomId)}/messages?dir=f&limit=50&filter=${filter}`);
  const join = (answer.json.chunk as Array<{ event_id: string; state_key: string; content: { membership: string } }>).find(
    (e) => e.state_key === userId && e.content.membership === 'join',
  );
  if (!join) throw new Error(`no join of ${userId} in ${roomId}`);
  return join.event_id;
}

export async function userRedactionTaskOnSynapse(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('person'));
  const friend = await server.register(uniqueName('friend'));
  // (b) a room nobody local is in any more
  const alone = await person.createRoom({ name: 'alone' });
  const aloneMessage = await person.say(alone, 'alone message');
  await person.leave(alone);
  // (a) a room the person left where the friend stays
  const left = await friend.roomWith([person], 'left');
  const leftMessage = await person.say(left, 'left message');
  await person.leave(left);
  // a room the person is still in, with what the task leaves alone
  const joined = await person.roomWith([friend], 'joined');
  const message = await person.say(joined, 'joined message');
  const encrypted = await person.send(joined, 'm.room.encrypted', {
    algorithm: 'm.megolm.v1.aes-sha2',
    ciphertext: 'xx',
    sender_key: 'k',
    session_id: 's',
    device_id: 'D',
  });
  const reaction = await person.send(joined, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: message, key: 'y' } });
  const sticker = await person.send(joined, 'm.sticker', { body: 'st', url: 'mxc://example.org/sticker', info: {} });
  const state = (await person.ok('PUT', `/_matrix/client/v3/rooms/${enc(joined)}/state/org.example.thing/${enc(person.userId)}`, { a: 1 })).event_id as string;
  const joins = {
    alone: await joinEventOf(server, alone, person.userId),
    left: await joinEventOf(server, left, person.userId),
    joined: await joinEventOf(server, joined, person.userId),
  };
  const rooms = [alone, left, joined];

  const first = await runRedactionTask(server, person.userId, { rooms });
  expect(first.status).toEqual({ status: 'complete', failed_redactions: {} });
  const once = { alone: await redactionCounts(server, alone), left: await redactionCounts(server, left), joined: await redactionCounts(server, joined) };
  expect(Object.fromEntries(once.alone)).toEqual({ [aloneMessage]: 1, [joins.alone]: 1 });
  expect(Object.fromEntries(once.left)).toEqual({ [leftMessage]: 1, [joins.left]: 1 });
  expect(Object.fromEntries(once.joined)).toEqual({ [message]: 1, [encrypted]: 1, [joins.joined]: 1 });
  for (const untouched of [reaction, sticker, state]) expect(once.joined.has(untouched)).toBe(false);
  // The redaction took effect where nobody local is left: the admin reads an empty event, redacted by the person.
  const context = await server.asAdmin('GET', `${A}/v1/rooms/${enc(alone)}/context/${enc(aloneMessage)}?limit=0`);
  expect(context.json.event.content).toEqual({});
  expect(context.json.event.unsigned.redacted_because.sender).toBe(person.userId);

  // A second task redacts every one of them again.
  const second = await runRedactionTask(server, person.userId, { rooms });
  expect(second.status).toEqual({ status: 'complete', failed_redactions: {} });
  expect(Object.fromEntries(await redactionCounts(server, alone))).toEqual({ [aloneMessage]: 2, [joins.alone]: 2 });
  expect(Object.fromEntries(await redactionCounts(server, left))).toEqual({ [leftMessage]: 2, [joins.left]: 2 });
  expect(Object.fromEntries(await redactionCounts(server, joined))).toEqual({ [message]: 2, [encrypted]: 2, [joins.joined]: 2 });

  // As the admin, who was never in the room the person left: every redaction fails, the task completes.
  const asAdmin = await runRedactionTask(server, person.userId, { rooms: [left], use_admin: true });
  const notInRoom = `403: User ${server.admin.userId} not in room ${left} (None)`;
  expect(asAdmin.status).toEqual({ status: 'complete', failed_redactions: { [leftMessage]: notInRoom, [joins.left]: notInRoom } });

  // A room the server does not know fails the task as a whole.
  const unknown = `!unknown${Date.now()}:${server.serverName}`;
  const failed = await runRedactionTask(server, person.userId, { rooms: [unknown] });
  expect(failed.status).toEqual({ status: 'failed', error: `404: Could not find room_version for ${unknown}` });

  // No check that the user exists; `rooms` is required; unknown IDs are 404.
  expect((await server.asAdmin('POST', `${A}/v1/user/${enc(`@nobody-${Date.now()}:${server.serverName}`)}/redact`, { rooms: [] })).status).toBe(200);
  const missing = await server.asAdmin('POST', `${A}/v1/user/${enc(person.userId)}/redact`, {});
  expect(missing.status).toBe(400);
  expect(missing.json.errcode).toBe('M_MISSING_PARAM');
  expect(missing.json.error).toMatch(/^1 validation error for PostBody\nrooms\n {2}Field required/);
  expect(await server.asAdmin('GET', `${A}/v1/user/redact_status/nope`)).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: "redact id 'nope' not found" },
  });
}
