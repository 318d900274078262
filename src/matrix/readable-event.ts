// An event read outside the sync (from a gap in the timeline), made as readable as
// matrix-bot-sdk makes the events of a sync: decrypted where the bot has the keys.
import type { MatrixClient } from 'matrix-bot-sdk';
import type { MatrixBotSdk } from './crypto-seam.ts';

export async function readableEvent(sdk: MatrixBotSdk, client: MatrixClient, roomId: string, raw: unknown): Promise<unknown> {
  const type = (raw as { type?: unknown } | null)?.type;
  if (type !== 'm.room.encrypted' || !client.crypto || !(await client.crypto.isRoomEncrypted(roomId))) return raw;
  try {
    return (await client.crypto.decryptRoomEvent(new sdk.EncryptedRoomEvent(raw), roomId)).raw;
  } catch {
    return raw; // as for a synced event that cannot be decrypted: it stays encrypted
  }
}
