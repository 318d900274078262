// Delivery primitives, for the job that runs an export: each part uploaded and sent as an
// m.file message into the user's direct chat, and, when the download window ends, the
// uploads and the local package deleted. How a part is uploaded is pluggable: a plain upload
// to the media repository here; an encrypted attachment (an EncryptedFile in `file`) where the
// room is encrypted and the bot has encryption. Sending goes through the caller's chat client,
// which encrypts the event itself in an encrypted room.
import { rm } from 'node:fs/promises';
import type { Homeserver } from '../../homeserver/homeserver.ts';
import { formatBytes } from '../../inventory/facts.ts';
import { encryptFile } from '../../matrix/encrypted-file.ts';
import { escapeHtml } from '../package/html.ts';
import { type ExportPackage, partPath, removePackage } from '../package/package.ts';

export type PackagePart = ExportPackage['parts'][number] & { path: string; of: number };

/** Where the bytes of a part went: `url` for a plain upload, `file` (an EncryptedFile, whose own url is inside) for an encrypted one. */
export type Attachment = { kind: 'plain'; url: string } | { kind: 'encrypted'; file: Record<string, unknown> & { url: string } };

export type AttachmentUploader = (part: PackagePart, signal?: AbortSignal) => Promise<Attachment>;

/** Sends an event's content into a room as the bot; answers the event ID. */
export type MessageSender = (roomId: string, content: Record<string, unknown>) => Promise<string>;

/** The name an upload is stored under in the media repository (by default the part's own). */
export type UploadName = (part: PackagePart) => string;

/** The plain way: the part goes to the media repository as it is (the server's admins could read it until it is deleted). */
export function plainUploader(homeserver: Homeserver, uploadName: UploadName = (part) => part.fileName): AttachmentUploader {
  return async (part, signal) => ({
    kind: 'plain',
    url: await homeserver.uploadFile({ path: part.path, size: part.size, contentType: 'application/zip', fileName: uploadName(part) }, signal),
  });
}

/**
 * For an end-to-end encrypted room: the part is encrypted on this side, from disk to disk,
 * and only the ciphertext is uploaded; the key travels in the (encrypted) event.
 */
export function encryptedUploader(homeserver: Homeserver, uploadName: UploadName = (part) => part.fileName): AttachmentUploader {
  return async (part, signal) => {
    const ciphertext = `${part.path}.encrypted`;
    try {
      const keys = await encryptFile(part.path, ciphertext, signal);
      const url = await homeserver.uploadFile(
        { path: ciphertext, size: part.size, contentType: 'application/octet-stream', fileName: uploadName(part) },
        signal,
      );
      return { kind: 'encrypted', file: { ...keys, url } };
    } finally {
      await rm(ciphertext, { force: true });
    }
  };
}

/** The mxc:// URI to delete at expiry, whichever way the part went. */
export const uploadedUri = (attachment: Attachment): string => (attachment.kind === 'plain' ? attachment.url : attachment.file.url);

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The m.file event for one part: the file name, its size and checksum, and when it will be deleted (a caption, Matrix 1.10). */
export function fileMessageContent(part: PackagePart, attachment: Attachment, expiresAt: number): Record<string, unknown> {
  const which = part.of === 1 ? 'Your data export' : `Your data export, part ${part.number} of ${part.of}`;
  const caption = `${which} (${formatBytes(part.size)}, SHA-256 ${part.sha256}). It will be deleted on ${day(expiresAt)}.`;
  return {
    msgtype: 'm.file',
    body: caption,
    format: 'org.matrix.custom.html',
    formatted_body: `${escapeHtml(which)} (${escapeHtml(formatBytes(part.size))}, SHA-256 <code>${part.sha256}</code>). It will be deleted on ${day(expiresAt)}.`,
    filename: part.fileName,
    info: { mimetype: 'application/zip', size: part.size },
    ...(attachment.kind === 'plain' ? { url: attachment.url } : { file: attachment.file }),
  };
}

export function packageParts(outputDir: string, pkg: ExportPackage): PackagePart[] {
  return pkg.parts.map((part) => ({ ...part, path: partPath(outputDir, pkg, part), of: pkg.parts.length }));
}

export type DeliveredPart = { number: number; uri: string; eventId: string };

/** Uploads one part and sends its message: the step a delivery job repeats (and records) part by part. */
export async function deliverPart(
  part: PackagePart,
  to: { roomId: string; upload: AttachmentUploader; send: MessageSender; expiresAt: number; signal?: AbortSignal },
): Promise<DeliveredPart> {
  const attachment = await to.upload(part, to.signal);
  const eventId = await to.send(to.roomId, fileMessageContent(part, attachment, to.expiresAt));
  return { number: part.number, uri: uploadedUri(attachment), eventId };
}

/** At the end of the download window: every upload deleted (one already gone counts as deleted), then the package itself. */
export async function expireExport(
  homeserver: Homeserver,
  uploads: readonly string[],
  outputDir: string,
  name: string,
): Promise<Array<{ uri: string; result: 'deleted' | 'gone' }>> {
  const results: Array<{ uri: string; result: 'deleted' | 'gone' }> = [];
  for (const uri of uploads) results.push({ uri, result: await homeserver.deleteUpload(uri) });
  await removePackage(outputDir, name);
  return results;
}
