// Where a sync skipped events, and how reading a gap proceeds. Pure.
//
// A sync timeline carries at most `limit` events per room; when more happened since
// the previous sync it says `limited: true`, and the events between the previous
// sync's next_batch and this timeline's prev_batch are missing. The bot reads them
// with /messages, forwards, in pages: commands arrive in the order they were sent,
// and a server that ignored `to` would only make it read on to the end of the room.
import { z } from 'zod';

/** Events per room in one sync: enough for most busy moments, small enough for a first sync. */
export const TIMELINE_LIMIT = 50;

/** Sent inline with every sync: a stored filter would make matrix-bot-sdk reset its sync position. */
export const SYNC_FILTER = { room: { timeline: { limit: TIMELINE_LIMIT } } };

/** Events per /messages page when reading a gap. */
export const GAP_PAGE_SIZE = 100;

/** What a gap may hold that the bot acts on: commands, encrypted commands, people leaving. */
export const GAP_EVENT_FILTER = { types: ['m.room.message', 'm.room.encrypted', 'm.room.member'] };

const LimitedTimelines = z.object({
  rooms: z
    .object({
      join: z
        .record(z.string(), z.object({ timeline: z.object({ limited: z.boolean().optional(), prev_batch: z.string().optional() }).optional() }))
        .optional(),
    })
    .optional(),
});

export type Gap = { roomId: string; from: string; to: string | null };

/** The joined rooms whose timeline in this sync skipped events since `since`. */
export function gapsIn(sync: unknown, since: string | null): Gap[] {
  // Without a previous position (the very first sync) nothing is missing: older events are history.
  if (since === null) return [];
  const joined = LimitedTimelines.safeParse(sync).data?.rooms?.join ?? {};
  return Object.entries(joined)
    .filter(([, room]) => room.timeline?.limited === true)
    .map(([roomId, room]) => ({ roomId, from: since, to: room.timeline?.prev_batch ?? null }));
}

export const MessagesPage = z.object({
  chunk: z.array(z.unknown()),
  end: z.string().optional(),
});
export type MessagesPage = z.infer<typeof MessagesPage>;

/**
 * Where to read on after a page, or null when the gap is closed: the server gives no
 * `end` once nothing is left. A page may come back empty with an `end` (events the bot
 * may not see were filtered out), so an empty page alone does not close a gap.
 */
export function nextFrom(page: MessagesPage, from: string): string | null {
  if (page.end === undefined || page.end === from) return null;
  return page.end;
}
