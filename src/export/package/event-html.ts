// One event the user sent, as a line a person can read. Pure. Every piece of text in an
// event was chosen by a person, so all of it is escaped; the only link ever made points to a
// file of the export itself, found by the event's mxc:// URI among the user's own uploads.
import type { StoredEvent } from '../../homeserver/homeserver.ts';
import { escapeHtml, localLink } from './html.ts';

/** The local path of an upload of the user's, by mxc:// URI (undefined when not in the export). */
export type MediaLinks = (mxc: string) => string | undefined;

/** "2026-11-28": events are grouped by day, in UTC like every time in the export. */
export const dayOf = (ts: number): string => new Date(ts).toISOString().slice(0, 10);
const timeOf = (ts: number): string => new Date(ts).toISOString().slice(11, 19);

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const body = (value: string): string => `<span class="body">${escapeHtml(value)}</span>`;
const note = (value: string): string => `<span class="note">${escapeHtml(value)}</span>`;

function isRedacted(event: StoredEvent): boolean {
  const unsigned = event['unsigned'] as Record<string, unknown> | undefined;
  return unsigned?.['redacted_because'] !== undefined || event['redacted_because'] !== undefined;
}

function message(event: StoredEvent, media: MediaLinks): string {
  const content = event.content;
  const msgtype = text(content['msgtype']) ?? '';
  const said = text(content['body']) ?? '';
  switch (msgtype) {
    case 'm.emote':
      return `${note('(action)')} ${body(said)}`;
    case 'm.image':
    case 'm.file':
    case 'm.video':
    case 'm.audio': {
      const url = text(content['url']);
      const local = url === null ? undefined : media(url);
      const name = text(content['filename']) ?? said;
      const kind = { 'm.image': 'Image', 'm.file': 'File', 'm.video': 'Video', 'm.audio': 'Audio' }[msgtype];
      const where =
        local === undefined ? note(url === null ? '(encrypted attachment)' : '(the file is not among your uploads on this server)') : localLink(local, local);
      return `${escapeHtml(kind)}: ${body(name)} ${where}`;
    }
    default:
      return body(said);
  }
}

function membership(event: StoredEvent, userId: string): string {
  const membership = text(event.content['membership']) ?? '';
  const target = event.state_key ?? '';
  const self = target === userId;
  const name = text(event.content['displayname']);
  switch (membership) {
    case 'join':
      return self ? `joined${name === null ? '' : ` as ${body(name)}`} ${note('(or changed your profile in this room)')}` : `joined ${escapeHtml(target)}`;
    case 'leave':
      return self ? 'left the room' : `removed ${escapeHtml(target)}`;
    case 'invite':
      return `invited ${escapeHtml(target)}`;
    case 'ban':
      return `banned ${escapeHtml(target)}`;
    case 'knock':
      return 'asked to join';
    default:
      return `membership: ${escapeHtml(membership)}`;
  }
}

/** What an event says, as HTML for one line. */
export function describeEvent(event: StoredEvent, userId: string, media: MediaLinks): string {
  if (isRedacted(event)) return note(`(deleted: ${event.type}; the server keeps only its outline)`);
  switch (event.type) {
    case 'm.room.message':
      return message(event, media);
    case 'm.sticker':
      return `Sticker: ${body(text(event.content['body']) ?? '')}`;
    case 'm.room.encrypted':
      return note('Encrypted message: the server holds only ciphertext and cannot decrypt it. Your own apps can read it with your keys.');
    case 'm.reaction': {
      const relates = event.content['m.relates_to'] as Record<string, unknown> | undefined;
      return `reacted with ${body(text(relates?.['key']) ?? '')}`;
    }
    case 'm.room.member':
      return membership(event, userId);
    case 'm.room.name':
      return `named the room ${body(text(event.content['name']) ?? '')}`;
    case 'm.room.topic':
      return `set the topic to ${body(text(event.content['topic']) ?? '')}`;
    case 'm.room.create':
      return 'created the room';
    case 'm.room.redaction':
      return 'deleted a message';
    default:
      return `${note(event.state_key === undefined || event.state_key === null ? 'event' : 'room setting')} ${escapeHtml(event.type)}`;
  }
}

/** One list item: time, then what happened. */
export function eventLine(event: StoredEvent, userId: string, media: MediaLinks): string {
  return `<li><time>${timeOf(event.origin_server_ts)}</time>${describeEvent(event, userId, media)}</li>\n`;
}
