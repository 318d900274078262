// What the bot's gap-free sync relies on (src/sync): a sync from an earlier token that would carry
// more events than its filter's timeline limit is `limited`, carries the newest `limit` events and
// a `prev_batch`; /messages from the earlier token forward `to` that prev_batch gives exactly the
// events the sync left out, in order. Measured on Synapse 1.160.
import { expect } from 'vitest';
import { enc, ok, uniqueName, type FactTarget } from './target.ts';

export async function limitedSyncLeavesAGapMessagesReads(target: FactTarget): Promise<void> {
  const person = await target.register(uniqueName('chatter'));
  await target.liftRateLimits(person.userId);
  const token = person.accessToken;
  const room = (await ok(target, 'POST', '/_matrix/client/v3/createRoom', { token, body: {} })).room_id as string;
  const since = (await ok(target, 'GET', '/_matrix/client/v3/sync?timeout=0', { token })).next_batch as string;
  const sent: string[] = [];
  for (let i = 1; i <= 15; i++) {
    sent.push((await ok(target, 'PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/gap-${i}`, { token, body: { msgtype: 'm.text', body: `line ${i}` } })).event_id);
  }

  const filter = enc(JSON.stringify({ room: { timeline: { limit: 5 } } }));
  const sync = await ok(target, 'GET', `/_matrix/client/v3/sync?timeout=0&since=${enc(since)}&filter=${filter}`, { token });
  const timeline = sync.rooms.join[room].timeline;
  expect(timeline.limited).toBe(true);
  expect(typeof timeline.prev_batch).toBe('string');
  expect(timeline.events.map((e: { event_id: string }) => e.event_id)).toEqual(sent.slice(10));

  const gap = await ok(target, 'GET', `/_matrix/client/v3/rooms/${enc(room)}/messages?dir=f&limit=100&from=${enc(since)}&to=${enc(timeline.prev_batch)}`, { token });
  expect(gap.chunk.map((e: { event_id: string }) => e.event_id)).toEqual(sent.slice(0, 10));
}
