// The files the user uploaded, the files themselves: listed first (so that messages can link
// to them), then downloaded a few at a time while the rooms are read. A file the server can no
// longer serve is listed with the reason, and the export goes on.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isHomeserverError } from '../../homeserver/errors.ts';
import type { Homeserver, JsonValue, UploadedMedia } from '../../homeserver/homeserver.ts';
import { mediaPath } from './paths.ts';
import { SpooledFile, type WrittenFile } from './spooled-file.ts';

export const QUARANTINED = 'an administrator quarantined this file, so the server no longer serves it';
export const FAILED = 'the server failed to send this file';

export type MediaEntry = {
  number: number;
  /** 'avatar': your avatar is not one of your uploads here (set from another server, or uploaded by someone else). */
  origin: 'upload' | 'avatar';
  media: UploadedMedia;
  /** The upload's record as the server keeps it; null for an avatar that is not among the uploads. */
  stored: JsonValue;
  /** Its path in the package, decided from its declared content type. */
  path: string;
  file: WrittenFile | null;
  /** Why the file itself is not in the package; null when it is. */
  unavailable: string | null;
};

export async function listMedia(homeserver: Homeserver, userId: string, avatarUrl: string | null): Promise<MediaEntry[]> {
  const entries: MediaEntry[] = [];
  const add = (origin: MediaEntry['origin'], media: UploadedMedia, stored: JsonValue) => {
    const number = entries.length + 1;
    entries.push({ number, origin, media, stored, path: mediaPath(number, media.contentType), file: null, unavailable: null });
  };
  for await (const page of homeserver.uploadedMedia(userId)) for (const item of page) add('upload', item.value, item.stored);
  if (avatarUrl !== null && !entries.some((e) => e.media.mxc === avatarUrl)) {
    const mediaId = avatarUrl.slice(avatarUrl.lastIndexOf('/') + 1);
    add('avatar', { mxc: avatarUrl, mediaId, contentType: null, size: null, uploadName: null, createdAt: null, quarantined: false }, null);
  }
  return entries;
}

export type DownloadContext = {
  homeserver: Homeserver;
  filesDir: string;
  signal: AbortSignal | undefined;
  onBytes: (bytes: number) => void;
};

/** Downloads one file into the package, or notes why it cannot be had. */
export async function downloadMediaEntry(entry: MediaEntry, ctx: DownloadContext): Promise<void> {
  if (entry.media.quarantined) {
    entry.unavailable = QUARANTINED;
    return;
  }
  let download;
  try {
    download = await ctx.homeserver.downloadMedia(entry.media.mxc, ctx.signal);
  } catch (error) {
    ctx.signal?.throwIfAborted();
    if (!isHomeserverError(error)) throw error;
    entry.unavailable = `${FAILED} (${error.userMessage})`;
    return;
  }
  if (!download.available) {
    entry.unavailable = download.reason;
    return;
  }
  // An avatar from elsewhere has no declared type: the server's answer decides its extension.
  if (entry.media.contentType === null) entry.path = mediaPath(entry.number, download.contentType);
  const diskPath = path.join(ctx.filesDir, entry.path);
  await mkdir(path.dirname(diskPath), { recursive: true, mode: 0o700 });
  const file = new SpooledFile(diskPath, { compressed: false });
  try {
    for await (const chunk of download.body) {
      await file.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      ctx.onBytes(chunk.byteLength);
    }
    entry.file = await file.close();
  } catch (error) {
    file.abandon();
    await rm(diskPath, { force: true });
    ctx.signal?.throwIfAborted();
    if (!isHomeserverError(error) && !isTransferError(error)) throw error;
    entry.unavailable = `${FAILED} (${isHomeserverError(error) ? error.userMessage : 'the connection broke off'})`;
  }
}

/** A body stream that broke off (dropped connection, idle timeout): a fault of this file's transfer. */
function isTransferError(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError';
}
