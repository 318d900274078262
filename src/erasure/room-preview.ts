// What an erasure will do in each of the person's rooms, read live from the server before
// anything runs: for `!plan` and for the admins' approval message, so that whoever approves
// knows which rooms will be deleted, which redacted visibly, and which cannot be touched.

import { isHomeserverError } from '../homeserver/errors.ts';
import type { ErasureOperations } from '../homeserver/homeserver.ts';
import { type Block, bold, paragraph } from '../render/document.ts';
import { roomPlanBlocks } from './plan.ts';

export async function roomPreview(erasure: ErasureOperations, userId: string): Promise<Block[]> {
  let rooms;
  try {
    rooms = await erasure.allRooms(userId);
  } catch (error) {
    if (!isHomeserverError(error)) throw error;
    return [paragraph(bold('Rooms: '), `they could not be listed just now (${error.userMessage}); the erasure lists them again before it starts.`)];
  }
  const plans = await erasure.planRooms(
    userId,
    rooms.rooms.map((m) => m.roomId),
  );
  const reasons = [...new Set(rooms.unchecked.map((r) => r.reason))];
  return [
    ...roomPlanBlocks(plans),
    ...(rooms.unchecked.length > 0
      ? [
          paragraph(
            bold('Not checked: '),
            `${rooms.unchecked.length} room(s) of this server could not be checked for the user (${reasons.join('; ')}): the erasure would not be called verified.`,
          ),
        ]
      : []),
  ];
}
