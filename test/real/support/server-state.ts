// What the server itself holds, read through Synapse's admin API with the tests' own admin
// (never the bot's token): the check after a real-tier test that what the person was told,
// or got, is what the server has.
import type { RoomEvent } from './client.ts';
import type { RealSynapse } from './synapse.ts';

const enc = encodeURIComponent;

/** Every event of a room, oldest first, as the admin API serves them (redacted ones pruned). */
export async function roomEvents(synapse: RealSynapse, roomId: string): Promise<RoomEvent[]> {
  const events: RoomEvent[] = [];
  let from: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ dir: 'b', limit: '1000', ...(from === null ? {} : { from }) });
    const page = await synapse.ok('GET', `/_synapse/admin/v1/rooms/${enc(roomId)}/messages?${query}`, { token: synapse.admin.accessToken });
    const chunk = (page.chunk ?? []) as RoomEvent[];
    events.push(...chunk);
    if (chunk.length === 0 || typeof page.end !== 'string' || page.end === from) break;
    from = page.end;
  }
  return events.reverse();
}

/** The event a message replies to (m.in_reply_to), if any. */
export const inReplyTo = (event: RoomEvent): string | undefined => event.content['m.relates_to']?.['m.in_reply_to']?.event_id;

/** How many messages `botUserId` sent in reply to each event (encrypted replies count too). */
export function repliesPerEvent(events: readonly RoomEvent[], botUserId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.sender !== botUserId || (event.type !== 'm.room.message' && event.type !== 'm.room.encrypted')) continue;
    const target = inReplyTo(event);
    if (target !== undefined) counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return counts;
}

/** GET /_synapse/admin/v2/users/{userId}: the account as the server keeps it. */
export const adminUser = (synapse: RealSynapse, userId: string): Promise<any> =>
  synapse.ok('GET', `/_synapse/admin/v2/users/${enc(userId)}`, { token: synapse.admin.accessToken });

/** The user's devices (GET /_synapse/admin/v2/users/{userId}/devices). */
export const adminDevices = async (synapse: RealSynapse, userId: string): Promise<Array<{ device_id: string; display_name: string | null }>> =>
  (await synapse.ok('GET', `/_synapse/admin/v2/users/${enc(userId)}/devices`, { token: synapse.admin.accessToken })).devices;

/** The user's uploads (GET /_synapse/admin/v1/users/{userId}/media). */
export const adminMedia = async (
  synapse: RealSynapse,
  userId: string,
): Promise<Array<{ media_id: string; media_length: number; upload_name: string | null }>> =>
  (await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(userId)}/media?limit=1000`, { token: synapse.admin.accessToken })).media;

/** The user's account data, global and per room (GET /_synapse/admin/v1/users/{userId}/accountdata). */
export const adminAccountData = async (
  synapse: RealSynapse,
  userId: string,
): Promise<{ global: Record<string, any>; rooms: Record<string, Record<string, any>> }> =>
  (await synapse.ok('GET', `/_synapse/admin/v1/users/${enc(userId)}/accountdata`, { token: synapse.admin.accessToken })).account_data;

/** The IDs of every room the server knows (GET /_synapse/admin/v1/rooms). */
export const adminRoomIds = async (synapse: RealSynapse): Promise<string[]> =>
  ((await synapse.ok('GET', '/_synapse/admin/v1/rooms?limit=1000', { token: synapse.admin.accessToken })).rooms as Array<{ room_id: string }>).map(
    (r) => r.room_id,
  );
