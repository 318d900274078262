// Synapse's message rate limit (rc_message; src/test-homeserver/rate-limits.ts models it), with
// its defaults, as operators run them: 10 events at once, then one every 5 s, counted over every
// event a user makes (a join too), a refusal held half a second and answered 429 with
// retry_after_ms and Retry-After; a repeated transaction is not limited; an admin's override
// (messages_per_second 0) lifts it. Measured on Synapse 1.160.
import { expect } from 'vitest';
import { call, enc, ok, uniqueName, type FactTarget } from './target.ts';

export async function messagesLimitedPerUser(target: FactTarget): Promise<void> {
  const person = await target.register(uniqueName('talker'));
  const admin = target.admin;
  // Rooms made by the admin (room creation has a limit of its own), the person invited.
  const room = (await ok(target, 'POST', '/_matrix/client/v3/createRoom', { token: admin.accessToken, body: { invite: [person.userId] } })).room_id as string;
  const later = (await ok(target, 'POST', '/_matrix/client/v3/createRoom', { token: admin.accessToken, body: { invite: [person.userId] } })).room_id as string;
  const send = (txn: string) => call(target, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/${txn}`, { token: person.accessToken, body: { msgtype: 'm.text', body: `message ${txn}` } });

  // The join is the first of ten events at once.
  await ok(target, 'POST', `/_matrix/client/v3/rooms/${enc(room)}/join`, { token: person.accessToken, body: {} });
  const first = await send('t1');
  expect(first.status).toBe(200);
  for (let i = 2; i <= 9; i++) expect((await send(`t${i}`)).status, `event ${i + 1}`).toBe(200);

  const refused = await send('t10');
  expect(refused.status).toBe(429);
  expect(refused.json).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests' });
  const wait = refused.json.retry_after_ms as number;
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(5000);
  expect(refused.headers.get('retry-after')).toBe(String(Math.ceil(wait / 1000)));
  // Held before it is answered, so that a client does not loop tightly.
  expect(refused.ms).toBeGreaterThanOrEqual(450);

  // A join is an event too, and is refused while the bucket is full.
  expect(await call(target, 'POST', `/_matrix/client/v3/rooms/${enc(later)}/join`, { token: person.accessToken, body: {} })).toMatchObject({ status: 429, json: { errcode: 'M_LIMIT_EXCEEDED' } });
  // A repeated transaction is answered from memory, whatever the limit.
  expect(await send('t1')).toMatchObject({ status: 200, json: { event_id: first.json.event_id } });

  // An admin lifts the limit for the person, and gives the defaults back.
  const override = `/_synapse/admin/v1/users/${enc(person.userId)}/override_ratelimit`;
  expect(await ok(target, 'GET', override, { token: admin.accessToken })).toEqual({});
  expect(await ok(target, 'POST', override, { token: admin.accessToken, body: { messages_per_second: 0, burst_count: 0 } })).toEqual({ messages_per_second: 0, burst_count: 0 });
  expect((await send('t10')).status).toBe(200);
  expect((await call(target, 'POST', `/_matrix/client/v3/rooms/${enc(later)}/join`, { token: person.accessToken, body: {} })).status).toBe(200);
  expect(await ok(target, 'GET', override, { token: admin.accessToken })).toEqual({ messages_per_second: 0, burst_count: 0 });
  expect(await ok(target, 'DELETE', override, { token: admin.accessToken })).toEqual({});
  expect(await ok(target, 'GET', override, { token: admin.accessToken })).toEqual({});
  // Only for people of this server.
  expect(await call(target, 'POST', `/_synapse/admin/v1/users/${enc('@someone:elsewhere.example')}/override_ratelimit`, { token: admin.accessToken, body: {} })).toMatchObject({ status: 400, json: { error: 'Only local users can be ratelimited' } });
}
