// Pure mappings for what an export reads (stored-schemas.ts) to the bot's types (homeserver.ts).

import type { z } from 'zod';
import type { RoomDetails, Stored, UploadedMedia } from './homeserver.ts';
import type { RoomDetailsAnswer, RoomStateAnswer } from './stored-schemas.ts';
import { asJson, StoredEvent, type StoredMediaPage } from './stored-schemas.ts';

export function toRoomDetails(raw: z.infer<typeof RoomDetailsAnswer>): RoomDetails {
  return {
    roomId: raw.room_id,
    name: raw.name ?? null,
    canonicalAlias: raw.canonical_alias ?? null,
    topic: raw.topic ?? null,
    encrypted: typeof raw.encryption === 'string' && raw.encryption !== '',
  };
}

/** The user's member event from a room's state, checked whole; null when there is none. */
export function memberEventOf(state: z.infer<typeof RoomStateAnswer>, userId: string): StoredEvent | null {
  const found = state.state.find((e) => e.type === 'm.room.member' && e.state_key === userId);
  const parsed = found === undefined ? null : StoredEvent.safeParse(found);
  return parsed?.success ? parsed.data : null;
}

export function toUploadedMedia(page: StoredMediaPage, serverName: string): Stored<UploadedMedia>[] {
  return page.media.map((m) => ({
    value: {
      mxc: `mxc://${serverName}/${m.media_id}`,
      mediaId: m.media_id,
      contentType: m.media_type ?? null,
      size: m.media_length ?? null,
      uploadName: m.upload_name ?? null,
      createdAt: m.created_ts ?? null,
      quarantined: typeof m.quarantined_by === 'string' && m.quarantined_by !== '',
    },
    stored: asJson(m),
  }));
}

/** Server name and media ID of an mxc:// URI, or null when it is not one (nothing else reaches a URL path). */
export function parseMxc(uri: string): { serverName: string; mediaId: string } | null {
  const match = /^mxc:\/\/([A-Za-z0-9.\-:[\]]+)\/([A-Za-z0-9_-]+)$/.exec(uri);
  return match ? { serverName: match[1]!, mediaId: match[2]! } : null;
}
