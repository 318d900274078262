// One room's part of an export: every event the user sent there, walked newest first and
// written oldest first, as JSON Lines (data/messages/<n>.jsonl) and as HTML grouped by day,
// cut into pieces small enough for index.html or a page of their own.
import path from 'node:path';
import { isHomeserverError, isRoomRefusal } from '../../homeserver/errors.ts';
import type { Homeserver, RoomDetails, StoredEvent } from '../../homeserver/homeserver.ts';
import { dayOf, eventLine, type MediaLinks } from './event-html.ts';
import { escapeHtml } from './html.ts';
import { messagesPath } from './paths.ts';
import { ReverseSpool } from './reverse-spool.ts';
import { SpooledFile, type WrittenFile } from './spooled-file.ts';

const MESSAGE_TYPES: ReadonlySet<string> = new Set(['m.room.message', 'm.room.encrypted']);

export const ROOM_REFUSED = 'the server would not let the bot read this room (you may never have joined it)';
export const NO_WAY_TO_READ = 'this server offers the bot no way to read the messages you sent';
export const READ_AS_YOU_REFUSED = 'the server would not let the bot read this room as you';

export type RoomMessages = {
  number: number;
  roomId: string;
  details: RoomDetails | null;
  /** Events the user sent here, and how many of them are messages (plain or encrypted). */
  events: number;
  messages: number;
  firstAt: number | null;
  lastAt: number | null;
  /** The user's own m.room.member events about themselves: joins, leaves, profile changes. */
  ownMembershipEvents: StoredEvent[];
  /** Why this room's events could not be read; null when they were. */
  unavailable: string | null;
  jsonl: WrittenFile;
  /** HTML fragments (a <ul> per day), each under the page budget, oldest first. */
  htmlChunks: WrittenFile[];
};

export type RoomJob = {
  homeserver: Homeserver;
  userId: string;
  number: number;
  roomId: string;
  membership: string;
  /** Where scratch files go; removed with the work folder. */
  scratchDir: string;
  /** Where files of the package go (paths.ts under it). */
  filesDir: string;
  media: MediaLinks;
  htmlChunkBytes: number;
  signal: AbortSignal | undefined;
  onEvents: (count: number) => void;
};

/** Why a room's events cannot be read, when that is the room's problem and not the export's; null otherwise. */
export function unreadableReason(error: unknown): string | null {
  if (!isHomeserverError(error)) return null;
  if (error.kind === 'unsupported') return NO_WAY_TO_READ;
  if (isRoomRefusal(error)) return ROOM_REFUSED;
  if (['unauthorized', 'forbidden', 'not-found', 'bad-response'].includes(error.kind) && error.endpoint?.includes('/login') === true)
    return READ_AS_YOU_REFUSED;
  return null;
}

/**
 * A record of the scratch file: time, the event as stored, its HTML line. JSON never holds a
 * raw tab or newline, and the HTML's are made character references, so tabs split it safely.
 */
const record = (event: StoredEvent, html: string): string =>
  `${event.origin_server_ts}\t${JSON.stringify(event)}\t${html.replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')}`;

/** A room whose events were read into its scratch file, newest first, for writeRoom to write oldest first. */
export type WalkedRoom = Pick<RoomMessages, 'details' | 'events' | 'messages' | 'ownMembershipEvents' | 'unavailable'> & { spool: ReverseSpool };

/**
 * Reads a room: every event the user sent there, newest first, into a scratch file, and the
 * room's details alongside the first page. Only this waits on the server; writeRoom, which may
 * run while the next room is read, does the rest.
 */
export async function walkRoom(job: RoomJob): Promise<WalkedRoom> {
  const detailsRead = job.homeserver.getRoomDetails(job.roomId);
  detailsRead.catch(() => {}); // awaited below, unless the walk fails first
  const spool = new ReverseSpool(path.join(job.scratchDir, `room-${job.number}.rev`));
  let events = 0;
  let messages = 0;
  let unavailable: string | null = null;
  const ownMembershipEvents: StoredEvent[] = [];
  try {
    try {
      for await (const page of job.homeserver.sentEvents(job.userId, job.roomId)) {
        job.signal?.throwIfAborted();
        await spool.append(page.map((event) => record(event, eventLine(event, job.userId, job.media))));
        for (const event of page) {
          if (MESSAGE_TYPES.has(event.type)) messages++;
          if (event.type === 'm.room.member' && event.state_key === job.userId) ownMembershipEvents.unshift(event);
        }
        events += page.length;
        job.onEvents(page.length);
      }
    } catch (error) {
      unavailable = unreadableReason(error);
      if (unavailable === null) throw error;
    }
    return { details: await detailsRead, spool, events, messages, ownMembershipEvents, unavailable };
  } catch (error) {
    await spool.close();
    throw error;
  }
}

/** Writes a walked room's files (JSON Lines, HTML pieces) oldest first, and closes its scratch file. */
export async function writeRoom(job: RoomJob, walked: WalkedRoom): Promise<RoomMessages> {
  const { spool, ...read } = walked;
  try {
    const written = await writeOldestFirst(job, spool, { details: read.details, unavailable: read.unavailable });
    return { number: job.number, roomId: job.roomId, ...read, ...written };
  } finally {
    await spool.close();
  }
}

async function writeOldestFirst(
  job: RoomJob,
  spool: ReverseSpool,
  about: { details: RoomDetails | null; unavailable: string | null },
): Promise<{ jsonl: WrittenFile; htmlChunks: WrittenFile[]; firstAt: number | null; lastAt: number | null }> {
  const jsonl = new SpooledFile(path.join(job.filesDir, messagesPath(job.number)), { compressed: true });
  const html = new HtmlChunks(job, path.join(job.scratchDir, `room-${job.number}`));
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  try {
    // Line 1 says which room this is; every further line is one event, as the server stores it.
    const header = JSON.stringify({
      room: {
        room_id: job.roomId,
        name: about.details?.name ?? null,
        canonical_alias: about.details?.canonicalAlias ?? null,
        encrypted: about.details?.encrypted ?? null,
        your_membership: job.membership,
      },
      note: about.unavailable ?? 'Each following line is one event you sent in this room, oldest first, exactly as the server stores it.',
    });
    await jsonl.write(`${header}\n`);
    for await (const line of spool.oldestFirst()) {
      const first = line.indexOf('\t');
      const second = line.indexOf('\t', first + 1);
      const ts = Number(line.slice(0, first));
      await jsonl.write(`${line.slice(first + 1, second)}\n`);
      await html.add(dayOf(ts), line.slice(second + 1));
      firstAt ??= ts;
      lastAt = ts;
    }
    return { jsonl: await jsonl.close(), htmlChunks: await html.close(), firstAt, lastAt };
  } catch (error) {
    jsonl.abandon();
    html.abandon();
    throw error;
  }
}

/** HTML lines grouped by day, cut into files of about `htmlChunkBytes`. */
class HtmlChunks {
  readonly #job: RoomJob;
  readonly #base: string;
  readonly #done: WrittenFile[] = [];
  #current: SpooledFile | null = null;
  #day: string | null = null;

  constructor(job: RoomJob, base: string) {
    this.#job = job;
    this.#base = base;
  }

  async add(day: string, line: string): Promise<void> {
    if (this.#current !== null && this.#current.size >= this.#job.htmlChunkBytes) await this.#finishChunk();
    if (this.#current === null) {
      // A piece is copied into index.html or a page of its own, never zipped itself: no need to deflate it.
      this.#current = new SpooledFile(`${this.#base}-${this.#done.length + 1}.html`, { compressed: false });
      await this.#current.write(`<h4>${escapeHtml(day)}${this.#day === day ? ' (continued)' : ''}</h4>\n<ul class="events">\n`);
    } else if (this.#day !== day) {
      await this.#current.write(`</ul>\n<h4>${escapeHtml(day)}</h4>\n<ul class="events">\n`);
    }
    this.#day = day;
    await this.#current.write(`${line}\n`);
  }

  async #finishChunk(): Promise<void> {
    if (this.#current === null) return;
    await this.#current.write('</ul>\n');
    this.#done.push(await this.#current.close());
    this.#current = null;
  }

  async close(): Promise<WrittenFile[]> {
    await this.#finishChunk();
    return this.#done;
  }

  abandon(): void {
    this.#current?.abandon();
  }
}
