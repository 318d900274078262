// To-device messages (the room keys the bot shares) with transaction IDs derived
// from their content. matrix-bot-sdk makes up a new ID for every send, so a send
// repeated after a crash (the server took it, the bot died before noting it) would
// be delivered twice; with the same content the same ID makes the server answer it
// once, as the spec's idempotency intends. Olm ciphertexts never repeat, so two
// different messages never share an ID. (How the SDK is reached: patches/matrix-bot-sdk.ts.)
import { createHash } from 'node:crypto';
import type { MatrixClient } from 'matrix-bot-sdk';
import { sendToDevicesUnder } from '../patches/matrix-bot-sdk.ts';

export function toDeviceTxnId(eventType: string, messages: unknown): string {
  return `dsar-td-${createHash('sha256').update(eventType).update('\n').update(JSON.stringify(messages)).digest('base64url').slice(0, 32)}`;
}

export function useContentAddressedToDeviceTxnIds(client: MatrixClient): void {
  sendToDevicesUnder(client, toDeviceTxnId);
}
