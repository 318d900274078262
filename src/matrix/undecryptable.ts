// Encrypted events the bot cannot decrypt: sent before its device existed, or by a client
// that never shared the key with it. matrix-bot-sdk logs each as an error with its room and
// event (sdk-logging.ts drops those lines); here they are counted per room and reason, and
// said once per room after each sync, at INFO: how many and why, the room ID, nothing more.
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../log.ts';
import { afterEachSync } from '../patches/matrix-bot-sdk.ts';

export type UndecryptableReason = 'before-first-start' | 'no-key' | 'key-shared-later' | 'other';

/** The engine's DecryptionErrorCode (matrix-sdk-crypto-wasm); the native engine says it in words. */
const MISSING_ROOM_KEY = 0;
const UNKNOWN_MESSAGE_INDEX = 1;

/** Why an event could not be decrypted, from the engine's error and when the event was sent. Pure. */
export function undecryptableReason(error: unknown, sentAt: number | undefined, firstStartedAt: number): UndecryptableReason {
  const code = (error as { code?: unknown } | null)?.code;
  const words = error instanceof Error ? error.message : String((error as { description?: unknown } | null)?.description ?? '');
  const missing = code === MISSING_ROOM_KEY || /room key (?:is )?missing|can't find the room key|MissingRoomKey/i.test(words);
  const later = code === UNKNOWN_MESSAGE_INDEX || /unknown (?:message )?index|UnknownMessageIndex/i.test(words);
  if (!missing && !later) return 'other';
  if (sentAt !== undefined && sentAt < firstStartedAt) return 'before-first-start';
  return missing ? 'no-key' : 'key-shared-later';
}

const SAID: Record<UndecryptableReason, string> = {
  'before-first-start': 'sent before its first start (its device could not be given their keys)',
  'no-key': "without a key shared with its device (the sender's client did not send it one)",
  'key-shared-later': "sent before the sender's client shared its key with the bot's device",
  other: 'that the encryption engine refused for another reason',
};

/** The one line about a room. Pure. */
export function undecryptableLine(roomId: string, counts: ReadonlyMap<UndecryptableReason, number>): string {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const parts = (Object.keys(SAID) as UndecryptableReason[]).filter((r) => (counts.get(r) ?? 0) > 0).map((r) => `${counts.get(r)} ${SAID[r]}`);
  return `encrypted room ${roomId}: the bot cannot read ${total} message(s): ${parts.join(', ')}`;
}

/** Counts the client's decryption failures during each sync and logs one line per room once the sync is handled. */
export function reportUndecryptable(client: MatrixClient, options: { firstStartedAt: number; log: Logger }): void {
  const failures = new Map<string, Map<UndecryptableReason, number>>();
  client.on('room.failed_decryption', (roomId: string, event: { origin_server_ts?: unknown } | null, error: unknown) => {
    const sentAt = typeof event?.origin_server_ts === 'number' ? event.origin_server_ts : undefined;
    const reason = undecryptableReason(error, sentAt, options.firstStartedAt);
    const counts = failures.get(roomId) ?? new Map<UndecryptableReason, number>();
    failures.set(roomId, counts.set(reason, (counts.get(reason) ?? 0) + 1));
  });
  afterEachSync(client, () => {
    for (const [roomId, counts] of failures) options.log.info(undecryptableLine(roomId, counts));
    failures.clear();
  });
}
