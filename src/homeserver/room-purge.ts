// Deleting a room nobody on this server is in any more, with everything in it: where no member
// of this server is left, nobody can redact there (the person left, make_room_admin has
// nobody to act through), but the server can delete the room (DELETE
// /_synapse/admin/v2/rooms/{room} with purge; Synapse, Tuwunel 1.8.1+). Measured on Synapse:
// complete within seconds, every event of the room gone. Other servers in the room keep their
// copies, as with any erasure (the report names them).
//
// Safe to run again: a deletion already started is followed rather than asked for twice, and
// a room that is already gone is done. A room someone here joined since is left alone.
import { isHomeserverError } from './errors.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import { DeleteRoomAnswer, DeleteStatus, RoomCounts, RoomDeleteStatuses } from './schemas.ts';

const PATHS = {
  room: '/_synapse/admin/v1/rooms/{roomId}',
  deleteRoom: '/_synapse/admin/v2/rooms/{roomId}',
  roomDeleteStatus: '/_synapse/admin/v2/rooms/{roomId}/delete_status',
  deleteStatus: '/_synapse/admin/v2/rooms/delete_status/{deleteId}',
} as const;

/** How long a deletion may take before the erasure stops and says so (it is retried with the job). */
const DELETE_WAIT_MS = 10 * 60_000;
const MAX_POLL_MS = 5_000;

export type PurgeOutcome = 'purged' | 'gone' | { refused: string };

export type PurgeTools = {
  admin: HomeserverHttp;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** First wait between two looks at the deletion; it grows up to 5 s. */
  pollMs: number;
};

export const SOMEONE_HERE_JOINED = 'a member of this server joined the room since it was planned, so it is no longer deleted but redacted like the others';

export async function purgeRoom(tools: PurgeTools, roomId: string): Promise<PurgeOutcome> {
  const counts = await roomCounts(tools, roomId);
  if (counts === null) return 'gone';
  // A deletion a run before this one started (and perhaps finished) is followed, not asked for twice.
  const earlier = await earlierDeletion(tools, roomId);
  let status: DeleteStatus;
  if (earlier !== null && earlier.status !== 'failed') {
    status = earlier;
  } else {
    if ((counts.joined_local_members ?? 0) > 0) return { refused: SOMEONE_HERE_JOINED };
    const { delete_id } = await tools.admin.request('DELETE', endpoint(PATHS.deleteRoom, { roomId }), {
      schema: DeleteRoomAnswer,
      body: { purge: true, block: false },
    });
    status = { delete_id, status: 'scheduled' };
  }
  const deadline = tools.now() + DELETE_WAIT_MS;
  for (let attempt = 0; status.status !== 'complete' && status.status !== 'failed'; attempt++) {
    if (tools.now() > deadline) return { refused: 'the server did not finish deleting the room within ten minutes' };
    await tools.sleep(Math.min(MAX_POLL_MS, tools.pollMs * 1.5 ** attempt));
    status = await statusOf(tools, roomId, status.delete_id ?? null);
  }
  if (status.status === 'failed') return { refused: `the server could not delete the room${status.error ? ` (${status.error})` : ''}` };
  return 'purged';
}

/** joined_local_members and the rest; null when the server no longer has the room. */
async function roomCounts(tools: PurgeTools, roomId: string) {
  try {
    return await tools.admin.request('GET', endpoint(PATHS.room, { roomId }), { schema: RoomCounts });
  } catch (error) {
    if (isHomeserverError(error, 'not-found')) return null;
    throw error;
  }
}

/** The newest deletion of this room the server remembers, if any. */
async function earlierDeletion(tools: PurgeTools, roomId: string): Promise<DeleteStatus | null> {
  try {
    const { results } = await tools.admin.request('GET', endpoint(PATHS.roomDeleteStatus, { roomId }), { schema: RoomDeleteStatuses });
    return results.at(-1) ?? null;
  } catch (error) {
    if (isHomeserverError(error, 'not-found')) return null;
    throw error;
  }
}

async function statusOf(tools: PurgeTools, roomId: string, deleteId: string | null): Promise<DeleteStatus> {
  if (deleteId !== null) return tools.admin.request('GET', endpoint(PATHS.deleteStatus, { deleteId }), { schema: DeleteStatus });
  return (await earlierDeletion(tools, roomId)) ?? { status: 'complete' };
}
