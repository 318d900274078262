// Sending a file into a room. In an encrypted room the file is encrypted on this
// side (AES-CTR, key and hash in the event, which is itself encrypted) before it
// is uploaded: the homeserver only ever stores ciphertext. A file is never
// uploaded in the clear for an encrypted room; without an engine that is an error.
import type { MatrixClient } from 'matrix-bot-sdk';
import { isRoomEncrypted } from './chat.ts';

export type Attachment = { bytes: Buffer; filename: string; mimetype: string };

export class CannotEncryptAttachmentError extends Error {
  override name = 'CannotEncryptAttachmentError';
}

/** Uploads the file (encrypted when the room is) and sends it as an m.file; returns the event ID. */
export async function sendAttachment(client: MatrixClient, roomId: string, file: Attachment, replyTo?: string): Promise<string> {
  const info = { mimetype: file.mimetype, size: file.bytes.length };
  const relation = replyTo === undefined ? {} : { 'm.relates_to': { 'm.in_reply_to': { event_id: replyTo } } };
  const content = { msgtype: 'm.file', body: file.filename, filename: file.filename, info, ...relation };
  if (await isRoomEncrypted(client, roomId)) {
    if (client.crypto === undefined || !client.crypto.isReady)
      throw new CannotEncryptAttachmentError('the room is encrypted and end-to-end encryption is not running');
    const encrypted = await client.crypto.encryptMedia(file.bytes);
    const url = await client.uploadContent(encrypted.buffer, 'application/octet-stream');
    // Encrypted here, not left to sendMessage: the event carries the file's key.
    const event = await client.crypto.encryptRoomEvent(roomId, 'm.room.message', { ...content, file: { ...encrypted.file, url } });
    return client.sendRawEvent(roomId, 'm.room.encrypted', event);
  }
  const url = await client.uploadContent(file.bytes, file.mimetype, file.filename);
  return client.sendMessage(roomId, { ...content, url });
}
