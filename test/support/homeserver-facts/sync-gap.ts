// What the bot's gap-free sync relies on (src/sync): a sync from an earlier token that would carry
// more events than its filter's timeline limit is `limited`, carries the newest `limit` events and
// a `prev_batch`; /messages from the earlier token forward `to` that prev_batch gives exactly the
// events the sync left out, in order. Measured on Synapse 1.160.
import { expect } from 'vitest';
import type { FactServer } from './server.ts';
import { enc, uniqueName } from './server.ts';

export async function limitedSyncLeavesAGapMessagesReads(server: FactServer): Promise<void> {
  // Registered with the rate limits lifted: fifteen messages in a row.
  const person = await server.register(uniqueName('chatter'));
  const room = (await person.ok('POST', '/_matrix/client/v3/createRoom', {})).room_id as string;
  const since = (await person.ok('GET', '/_matrix/client/v3/sync?timeout=0')).next_batch as string;
  const sent: string[] = [];
  for (let i = 1; i <= 15; i++) {
    sent.push(
      (await person.ok('PUT', `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/gap-${i}`, { msgtype: 'm.text', body: `line ${i}` })).event_id,
    );
  }

  const filter = enc(JSON.stringify({ room: { timeline: { limit: 5 } } }));
  const sync = await person.ok('GET', `/_matrix/client/v3/sync?timeout=0&since=${enc(since)}&filter=${filter}`);
  const timeline = sync.rooms.join[room].timeline;
  expect(timeline.limited).toBe(true);
  expect(typeof timeline.prev_batch).toBe('string');
  expect(timeline.events.map((e: { event_id: string }) => e.event_id)).toEqual(sent.slice(10));

  const gap = await person.ok('GET', `/_matrix/client/v3/rooms/${enc(room)}/messages?dir=f&limit=100&from=${enc(since)}&to=${enc(timeline.prev_batch)}`);
  expect(gap.chunk.map((e: { event_id: string }) => e.event_id)).toEqual(sent.slice(0, 10));
}
