// Fact 7 (issue 15, item 5): Synapse's default message rate limit (rc_message: 10 events at
// once, then one every 5 s; src/test-homeserver/rate-limits.ts models it) and the admin API's
// per-user override, measured on Synapse 1.160: counted over every event a user makes (a join,
// a redaction and the room's creation too), a refusal held half a second and answered 429 with
// retry_after_ms and Retry-After; a repeated transaction is not limited; a login-as token counts
// against the person; an override of 0 (for the person, or the admin a login-as token is for)
// lifts it.
import { expect } from 'vitest';
import type { Answer, FactClient, FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

const override = (userId: string) => `/_synapse/admin/v1/users/${enc(userId)}/override_ratelimit`;

let sent = 0;
const say = (client: FactClient, roomId: string, token = client.accessToken): Promise<Answer> =>
  client.call(
    'PUT',
    `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/rl${++sent}-${Date.now()}`,
    { msgtype: 'm.text', body: 'hi' },
    { raw429: true, ...(token === client.accessToken ? {} : { token }) },
  );

/** Statuses of `count` sends in a row. */
async function statuses(count: number, send: () => Promise<Answer>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await send()).status);
  return out;
}

function expectLimited(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.json).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests' });
  const retryAfterMs = answer.json.retry_after_ms as number;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(5000);
  expect(answer.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
  // Held before it is answered, so that a client does not loop tightly.
  expect(answer.ms).toBeGreaterThanOrEqual(450);
}

/** Joins are events too: a person whose bucket is full is refused the next join (a bot that has just answered a burst of commands). */
export async function messagesLimitedPerUser(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('talker'), { defaultRateLimits: true });
  const admin = server.admin;
  // Rooms made by the admin (whose limits are lifted), the person invited.
  const room = (await server.ok('POST', '/_matrix/client/v3/createRoom', { token: admin.accessToken, body: { invite: [person.userId] } })).room_id as string;
  const later = (await server.ok('POST', '/_matrix/client/v3/createRoom', { token: admin.accessToken, body: { invite: [person.userId] } })).room_id as string;
  const send = (txn: string) =>
    person.call('PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/${txn}`, { msgtype: 'm.text', body: `message ${txn}` }, { raw429: true });
  const join = (roomId: string) => person.call('POST', `/_matrix/client/v3/rooms/${enc(roomId)}/join`, {}, { raw429: true });

  // The join is the first of ten events at once.
  expect((await join(room)).status).toBe(200);
  const first = await send('t1');
  expect(first.status).toBe(200);
  for (let i = 2; i <= 9; i++) expect((await send(`t${i}`)).status, `event ${i + 1}`).toBe(200);
  expectLimited(await send('t10'));

  // A join is an event too, and is refused while the bucket is full.
  expect(await join(later)).toMatchObject({ status: 429, json: { errcode: 'M_LIMIT_EXCEEDED' } });
  // A repeated transaction is answered from memory, whatever the limit.
  expect(await send('t1')).toMatchObject({ status: 200, json: { event_id: first.json.event_id } });

  // An admin lifts the limit for the person, and gives the defaults back.
  const asAdmin = { token: admin.accessToken };
  expect(await server.ok('GET', override(person.userId), asAdmin)).toEqual({});
  expect(await server.ok('POST', override(person.userId), { ...asAdmin, body: { messages_per_second: 0, burst_count: 0 } })).toEqual({
    messages_per_second: 0,
    burst_count: 0,
  });
  expect((await send('t10')).status).toBe(200);
  expect((await join(later)).status).toBe(200);
  expect(await server.ok('GET', override(person.userId), asAdmin)).toEqual({ messages_per_second: 0, burst_count: 0 });
  expect(await server.ok('DELETE', override(person.userId), asAdmin)).toEqual({});
  expect(await server.ok('GET', override(person.userId), asAdmin)).toEqual({});
  // Only for people of this server.
  expect(await server.asAdmin('POST', override('@someone:elsewhere.example'), {})).toMatchObject({
    status: 400,
    json: { error: 'Only local users can be ratelimited' },
  });
}

export async function messageRateLimitAndOverride(server: FactServer): Promise<void> {
  const person = await server.register(uniqueName('quick'), { defaultRateLimits: true });
  expect(await server.asAdmin('GET', override(person.userId))).toMatchObject({ status: 200, json: {} });
  expect(await server.asAdmin('GET', override(`@nobody-${Date.now()}:${server.serverName}`))).toMatchObject({
    status: 404,
    json: { errcode: 'M_NOT_FOUND', error: 'User not found' },
  });
  expect(await server.asAdmin('GET', override('@someone:elsewhere.example'))).toMatchObject({
    status: 400,
    json: { errcode: 'M_UNKNOWN', error: 'Can only look up local users' },
  });

  // Creating the room is the first of ten actions; nine sends, then the limit.
  const room = await person.createRoom({ name: 'quick' });
  expect(await statuses(9, () => say(person, room))).toEqual(Array(9).fill(200));
  expectLimited(await say(person, room));
  // A redaction counts in the same bucket.
  const redact = await person.call('PUT', `/_matrix/client/v3/rooms/${enc(room)}/redact/${enc('$x')}/rd${Date.now()}`, {}, { raw429: true });
  expect(redact.status).toBe(429);

  // The override: 0 and 0 (also what an empty body sets) means no limit at all.
  expect(await server.asAdmin('POST', override(person.userId), { messages_per_second: 0.5 })).toMatchObject({
    status: 400,
    json: { errcode: 'M_INVALID_PARAM', error: '0.5 parameter must be a positive int' },
  });
  expect(await server.asAdmin('POST', override(person.userId), {})).toMatchObject({ status: 200, json: { messages_per_second: 0, burst_count: 0 } });
  expect((await server.asAdmin('GET', override(person.userId))).json).toEqual({ messages_per_second: 0, burst_count: 0 });
  expect((await say(person, room)).status).toBe(200);
  expect(await server.asAdmin('DELETE', override(person.userId))).toMatchObject({ status: 200, json: {} });
  expect(await server.asAdmin('DELETE', override(person.userId))).toMatchObject({ status: 200, json: {} });
  expect((await server.asAdmin('GET', override(person.userId))).json).toEqual({});

  // A login-as token counts against the person, but an override for the admin who made it lifts the limit.
  const lifted = await server.register(uniqueName('quick'), { defaultRateLimits: true });
  const liftedRoom = await lifted.createRoom({ name: 'quick' });
  const liftedToken = await lifted.loginAs();
  expect(await statuses(12, () => say(lifted, liftedRoom, liftedToken))).toEqual(Array(12).fill(200));

  // An admin without an override: its login-as token is limited as the person, redactions included,
  // and the person's own token shares the bucket.
  const admin2 = await server.register(uniqueName('admin'), { admin: true, defaultRateLimits: true });
  const limited = await server.register(uniqueName('quick'), { defaultRateLimits: true });
  const limitedRoom = await limited.createRoom({ name: 'quick' });
  const puppet = await server.ok('POST', `/_synapse/admin/v1/users/${enc(limited.userId)}/login`, {
    token: admin2.accessToken,
    body: { valid_until_ms: Date.now() + 600_000 },
  });
  const events: string[] = [];
  for (let i = 0; i < 5; i++) {
    const answer = await say(limited, limitedRoom, puppet.access_token);
    expect(answer.status).toBe(200);
    events.push(answer.json.event_id);
  }
  const redactAs = (eventId: string) =>
    server.call('PUT', `/_matrix/client/v3/rooms/${enc(limitedRoom)}/redact/${enc(eventId)}/r${++sent}`, {
      token: puppet.access_token,
      body: {},
      raw429: true,
    });
  expect(await statuses(4, () => redactAs(events.pop()!))).toEqual([200, 200, 200, 200]);
  expectLimited(await redactAs(events[0]!));
  expect((await say(limited, limitedRoom)).status).toBe(429);
  // Admins are limited like anyone.
  const adminRoom = await server.ok('POST', '/_matrix/client/v3/createRoom', { token: admin2.accessToken, body: { name: 'admin' } });
  const adminSays = () =>
    server.call('PUT', `/_matrix/client/v3/rooms/${enc(adminRoom.room_id)}/send/m.room.message/a${++sent}`, {
      token: admin2.accessToken,
      body: { msgtype: 'm.text', body: 'hi' },
      raw429: true,
    });
  expect(await statuses(10, adminSays)).toEqual([...Array(9).fill(200), 429]);
}
