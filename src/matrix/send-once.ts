// Sending an event so that sending it twice sends it once.
//
// The transaction ID of `PUT /rooms/{room}/send/{type}/{txnId}` is derived from what
// the event is for (a reply: the command's event ID), never drawn fresh. A retry, or a
// resend after a crash, repeats the first request, and the server answers it with the
// event it already stored (spec: "Transaction identifiers"; Synapse remembers them for
// 24 hours, Tuwunel keeps them). That is what makes retrying a failed send safe.
import { createHash } from 'node:crypto';
import type { MatrixClient } from 'matrix-bot-sdk';
import { requestFailure } from './request-failure.ts';

/**
 * The spec caps a whole event at 65,536 bytes of canonical JSON, signatures, hashes and
 * DAG references included: content gets what the envelope leaves, with room to spare.
 */
export const MAX_CONTENT_BYTES = 60_000;

/** Waits before trying a send again when the server failed or did not answer. */
export const UNAVAILABLE_RETRY_DELAYS_MS: readonly number[] = [250, 1000];
const MAX_RATE_LIMIT_RETRIES = 5;

/** A send that did not go through, with what the server (or our size check) said. */
export class SendError extends Error {
  readonly failure: ReturnType<typeof requestFailure>;

  constructor(failure: ReturnType<typeof requestFailure>, cause?: unknown) {
    super(`send failed: ${failure.kind}`, { cause });
    this.failure = failure;
  }
}

/** An event that must be encrypted (`encrypt: 'required'`) could not be: nothing was sent. */
export class CannotEncryptError extends Error {
  override name = 'CannotEncryptError';
}

/** The transaction ID of the one event that `key` names in this room. */
export function transactionIdFor(roomId: string, key: string): string {
  // The room is part of it: Tuwunel keys transactions on the device alone, in any room.
  return `dsar.${createHash('sha256').update(`${roomId}\u0000${key}`).digest('base64url').slice(0, 32)}`;
}

export const contentBytes = (content: unknown): number => Buffer.byteLength(JSON.stringify(content), 'utf8');

/** How long to wait before the next try of a send, or null to stop trying. Pure. */
export function retryDelay(error: unknown, tries: { rateLimited: number; unavailable: number }): number | null {
  const failure = requestFailure(error);
  if (failure.kind === 'rate-limited') return tries.rateLimited < MAX_RATE_LIMIT_RETRIES ? failure.waitMs : null;
  if (failure.kind === 'unavailable') return UNAVAILABLE_RETRY_DELAYS_MS[tries.unavailable] ?? null;
  return null;
}

/**
 * Sends an event under the transaction ID `key` names, encrypted where the room is (as the
 * SDK's sendEvent does), retrying what is safe to retry. Throws a SendError.
 */
export async function sendOnce(
  client: MatrixClient,
  roomId: string,
  type: string,
  content: Record<string, unknown>,
  key: string,
  options: { encrypt?: boolean | 'required' } = {},
): Promise<string> {
  let eventType = type;
  let body: object = content;
  // `encrypt: false` is for notices without personal data to someone the bot cannot encrypt for.
  if (options.encrypt !== false && client.crypto !== undefined && client.crypto !== null && (await client.crypto.isRoomEncrypted(roomId))) {
    body = await client.crypto.encryptRoomEvent(roomId, type, content);
    eventType = 'm.room.encrypted';
  }
  // `encrypt: 'required'`: the content carries a secret (an attachment's key) and must never go out in the clear.
  if (options.encrypt === 'required' && eventType !== 'm.room.encrypted')
    throw new CannotEncryptError('the event must be encrypted, and the room is not encrypted or the bot has no encryption');
  // Never ask the server to store what it must refuse.
  if (contentBytes(body) > MAX_CONTENT_BYTES) throw new SendError({ kind: 'too-large' });
  const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(eventType)}/${encodeURIComponent(transactionIdFor(roomId, key))}`;
  let answer: { event_id?: unknown };
  try {
    answer = (await retrying(() => client.doRequest('PUT', path, null, body))) as { event_id?: unknown };
  } catch (error) {
    throw new SendError(requestFailure(error), error);
  }
  if (typeof answer.event_id !== 'string') throw new SendError({ kind: 'unavailable' });
  return answer.event_id;
}

/**
 * Makes a request that is safe to repeat (a send under its transaction ID, a join, a leave),
 * retrying as `retryDelay` says: a 429 waited out as asked, a server error or a lost answer
 * tried again shortly. Throws the last error when it stops trying. Synapse checks its message
 * rate limit for every event a user makes, joins and leaves included, so a bot that has just
 * answered a burst of commands gets 429s for those too.
 */
export async function retrying<T>(request: () => Promise<T>): Promise<T> {
  const tries = { rateLimited: 0, unavailable: 0 };
  for (;;) {
    try {
      return await request();
    } catch (error) {
      const wait = retryDelay(error, tries);
      if (wait === null) throw error;
      if (requestFailure(error).kind === 'rate-limited') tries.rateLimited++;
      else tries.unavailable++;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
