// index.html: what a newcomer opens first. A summary per category with counts, the
// information sheet (why each kind of data is kept, on what basis, for how long, who else
// gets it, where it came from), the user's rights, then the data itself and every message,
// grouped by room and day. Rooms too long for one page get pages of their own.
import { createReadStream } from 'node:fs';
import { CATEGORY_IDS, CATEGORY_LABELS, type CategoryId } from '../../config/categories.ts';
import type { BotConfig } from '../../config/load.ts';
import { formatBytes } from '../../inventory/facts.ts';
import { categorySections, rightsSection } from '../../inventory/report.ts';
import { render } from '../../render/render.ts';
import { type Collected, type ExportedRoom, inventoryOf } from './collected.ts';
import { escapeHtml, jsonBlock, localLink, pageEnd, pageStart } from './html.ts';
import { categoryPath, messagesPath, roomPagePath } from './paths.ts';
import type { SpooledFile, WrittenFile } from './spooled-file.ts';

const when = (ms: number | null | undefined): string =>
  typeof ms === 'number' && ms > 0
    ? new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC')
    : '—';
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const roomTitle = (r: ExportedRoom): string => `${r.number}. ${r.details?.name ?? r.details?.canonicalAlias ?? '(a room without a name)'}`;

/** Where each room's messages go: inline in index.html while the budget lasts, else pages of their own. */
export type RoomLayout = ReadonlyMap<number, { inline: boolean; pages: string[] }>;

export function layoutRooms(rooms: readonly ExportedRoom[], inlineBudget: number): RoomLayout {
  let left = inlineBudget;
  const layout = new Map<number, { inline: boolean; pages: string[] }>();
  for (const room of rooms) {
    const size = room.htmlChunks.reduce((sum, c) => sum + c.size, 0);
    const inline = room.htmlChunks.length <= 1 && size <= left;
    if (inline) left -= size;
    layout.set(room.number, { inline, pages: inline ? [] : room.htmlChunks.map((_, i) => roomPagePath(room.number, i + 1)) });
  }
  return layout;
}

function counts(c: Collected): Record<CategoryId, string> {
  const inv = inventoryOf(c);
  const distinct = (values: (string | null)[]) => new Set(values.filter((v) => v !== null)).size;
  const devices = c.devices.value;
  const sessions = c.sessions.available ? c.sessions.value.value.flatMap((s) => s.connections) : [];
  const uploads = c.media.filter((m) => m.origin === 'upload');
  const missing = c.media.filter((m) => m.unavailable !== null).length;
  const byMembership = (m: string) => c.rooms.filter((r) => r.membership === m).length;
  const keys = c.keys.available ? c.keys.value.value : null;
  return {
    account: `1 account, created ${when(inv.account.createdAt)}`,
    profile: [inv.account.displayName === null ? 'no display name' : 'a display name', inv.account.avatarUrl === null ? 'no avatar' : 'an avatar'].join(', '),
    emails: `${plural(inv.account.emails.length, 'email address', 'email addresses')}, ${plural(inv.account.phoneNumbers.length, 'phone number')}`,
    devices: `${plural(devices.length, 'device')}${c.sessions.available ? `, ${plural(sessions.length, 'logged connection')}` : ''}`,
    ipAddresses: plural(distinct([...devices.map((d) => d.lastSeenIp), ...sessions.map((s) => s.ip)]), 'IP address', 'IP addresses'),
    userAgents: plural(distinct([...devices.map((d) => d.lastSeenUserAgent), ...sessions.map((s) => s.userAgent)]), 'app identifier'),
    connectionTimes: plural(devices.filter((d) => d.lastSeenAt !== null).length + sessions.filter((s) => s.lastSeenAt !== null).length, 'recorded time'),
    rooms: `${plural(c.rooms.length, 'room')}: ${byMembership('join')} joined, ${byMembership('leave')} left, ${byMembership('invite')} invited, ${byMembership('ban')} banned`,
    messages: `${plural(
      c.rooms.reduce((s, r) => s + r.messages, 0),
      'message',
    )} (${plural(
      c.rooms.reduce((s, r) => s + r.events, 0),
      'event',
    )} in all) in ${plural(c.rooms.filter((r) => r.events > 0).length, 'room')}`,
    media: `${plural(uploads.length, 'file')}, ${formatBytes(inv.media.totalBytes)}${missing > 0 ? `; ${missing} the server could not send` : ''}`,
    accountData: `${plural(inv.accountData.globalTypes.length, 'setting')}, and settings for ${plural(inv.accountData.rooms.length, 'room')}`,
    pushers: plural(inv.pushers.length, 'push registration'),
    encryptionKeys:
      keys === null
        ? 'not available on this server'
        : [
            `public keys of ${plural(keys.devicesWithKeys.length, 'device')}`,
            ...(keys.crossSigning ? ['cross-signing keys'] : []),
            ...(c.keyBackup.available ? [c.keyBackup.value === null ? 'no key backup' : 'a key backup'] : []),
          ].join(', '),
  };
}

function introduction(c: Collected, config: BotConfig): string {
  return [
    `<h1>Your data on ${escapeHtml(c.serverName)}</h1>`,
    `<p>This is a copy of everything the homeserver <strong>${escapeHtml(c.serverName)}</strong> holds about <code>${escapeHtml(c.userId)}</code>, `,
    `made for you by ${escapeHtml(config.policy.controller)}'s privacy bot on ${escapeHtml(when(c.generatedAt))} (GDPR Art. 15 and 20). `,
    `All times are in UTC. Read this page first; the folder <code>data</code> holds the same data as JSON for other apps, `,
    `<code>data/messages</code> one file per room (JSON Lines), and <code>media</code> the files you uploaded. `,
    `<code>manifest.json</code> lists every file with its SHA-256 checksum.</p>`,
    `<p><strong>Only your own messages.</strong> Other people’s messages are their personal data (GDPR Art. 15(4)), so this package holds only the events you sent. `,
    `<strong>Encrypted rooms:</strong> there the server holds only ciphertext and cannot decrypt it; those events are included as stored, and your own apps can read them with your keys.</p>`,
  ].join('');
}

function summary(c: Collected): string {
  const n = counts(c);
  const rows = CATEGORY_IDS.map(
    (id) =>
      `<tr><td><a href="#${id}">${escapeHtml(CATEGORY_LABELS[id])}</a></td><td>${escapeHtml(n[id])}</td><td>${localLink(categoryPath(id), categoryPath(id))}</td></tr>`,
  );
  return `<h2 id="summary">Summary</h2><table class="summary"><tr><th>What</th><th>How much</th><th>File</th></tr>${rows.join('')}</table>`;
}

function roomsTable(c: Collected, layout: RoomLayout): string {
  if (c.rooms.length === 0) return '<p>None.</p>';
  const rows = c.rooms.map((r) => {
    const history = r.membershipHistory
      .map(
        (e) =>
          `${escapeHtml(when(e.origin_server_ts))}: ${escapeHtml(String(e.content['membership'] ?? '?'))}${e.sender === c.userId ? '' : ` by <code>${escapeHtml(e.sender)}</code>`}`,
      )
      .join('<br>');
    const where = layout.get(r.number)?.inline
      ? `<a href="#room-${r.number}">below</a>`
      : (layout.get(r.number)?.pages ?? []).map((p) => localLink(p, p)).join(' ');
    return (
      `<tr><td>${escapeHtml(roomTitle(r))}<br><code>${escapeHtml(r.roomId)}</code>${r.details?.encrypted ? '<br>encrypted' : ''}</td>` +
      `<td>${escapeHtml(r.membership)}</td><td>${history || '—'}</td><td>${r.events}${r.events > 0 ? ` (${where}; ${localLink(messagesPath(r.number), messagesPath(r.number))})` : ''}</td></tr>`
    );
  });
  return `<table><tr><th>Room</th><th>You now</th><th>Your membership history</th><th>Events you sent</th></tr>${rows.join('')}</table>`;
}

function mediaTable(c: Collected): string {
  if (c.media.length === 0) return '<p>None.</p>';
  const rows = c.media.map(
    (m) =>
      `<tr><td>${m.number}</td><td>${m.file ? localLink(m.path, m.path) : `<span class="note">${escapeHtml(m.unavailable ?? 'not included')}</span>`}</td>` +
      `<td>${escapeHtml(m.media.uploadName ?? '—')}</td><td>${escapeHtml(m.media.contentType ?? '—')}</td><td>${escapeHtml(formatBytes(m.media.size ?? m.file?.size ?? 0))}</td>` +
      `<td>${escapeHtml(when(m.media.createdAt))}${m.origin === 'avatar' ? ' (your avatar, from elsewhere)' : ''}</td></tr>`,
  );
  return `<table><tr><th>#</th><th>File</th><th>Name it was uploaded with</th><th>Type</th><th>Size</th><th>Uploaded</th></tr>${rows.join('')}</table>`;
}

function devicesTable(c: Collected): string {
  if (c.devices.value.length === 0) return '<p>None.</p>';
  const rows = c.devices.value.map(
    (d) =>
      `<tr><td><code>${escapeHtml(d.deviceId)}</code></td><td>${escapeHtml(d.displayName ?? '—')}</td><td>${escapeHtml(d.lastSeenIp ?? '—')}</td>` +
      `<td>${escapeHtml(d.lastSeenUserAgent ?? '—')}</td><td>${escapeHtml(when(d.lastSeenAt))}</td></tr>`,
  );
  return `<table><tr><th>Device</th><th>Name</th><th>Last IP address</th><th>Last app identifier</th><th>Last seen</th></tr>${rows.join('')}</table>`;
}

/** The data of each category, from the same records as data/<category>.json. */
function dataSections(c: Collected, layout: RoomLayout, files: ReadonlyMap<CategoryId, unknown>): string {
  const section = (id: CategoryId, body: string) =>
    `<h3 id="${id}">${escapeHtml(CATEGORY_LABELS[id])}</h3><p>${localLink(categoryPath(id), categoryPath(id))}</p>${body}`;
  const json = (id: CategoryId) => jsonBlock(files.get(id));
  return [
    '<h2 id="data">The data</h2>',
    section('account', json('account')),
    section('profile', json('profile')),
    section('emails', json('emails')),
    section('devices', `${devicesTable(c)}<h4>As the server stores them</h4>${json('devices')}`),
    section('ipAddresses', json('ipAddresses')),
    section('userAgents', json('userAgents')),
    section('connectionTimes', json('connectionTimes')),
    section('rooms', roomsTable(c, layout)),
    section('messages', '<p>Every event you sent, room by room and day by day, is in <a href="#messages-by-room">Messages by room</a> below.</p>'),
    section('media', mediaTable(c)),
    section('accountData', json('accountData')),
    section('pushers', json('pushers')),
    section('encryptionKeys', json('encryptionKeys')),
  ].join('\n');
}

function roomHeading(r: ExportedRoom): string {
  const notes: string[] = [`<code>${escapeHtml(r.roomId)}</code>`, escapeHtml(plural(r.events, 'event'))];
  if (r.details?.encrypted) notes.push('encrypted: the server holds only ciphertext of messages here');
  if (r.unavailable !== null) notes.push(`<span class="note">${escapeHtml(r.unavailable)}</span>`);
  return `<h3 id="room-${r.number}">${escapeHtml(roomTitle(r))}</h3><p>${notes.join(' · ')}</p>`;
}

async function copyInto(target: SpooledFile, source: WrittenFile): Promise<void> {
  for await (const chunk of createReadStream(source.diskPath)) await target.write(chunk as Buffer);
}

export type IndexInput = { collected: Collected; config: BotConfig; layout: RoomLayout; categoryData: ReadonlyMap<CategoryId, unknown> };

export async function writeIndex(file: SpooledFile, input: IndexInput): Promise<void> {
  const { collected: c, config, layout } = input;
  const inventory = inventoryOf(c);
  await file.write(pageStart(`Your data on ${c.serverName}`));
  await file.write(introduction(c, config));
  await file.write(summary(c));
  await file.write('<h2 id="information">What the server holds, and why</h2>');
  await file.write(render(categorySections(inventory, config)).html);
  await file.write(render([rightsSection(config, ['this package, and ', { code: '!export' }, ' for a new one.'])]).html);
  await file.write(`<p>Made on ${escapeHtml(when(c.generatedAt))}.</p>`);
  await file.write(dataSections(c, layout, input.categoryData));
  await file.write('<h2 id="messages-by-room">Messages by room</h2>');
  if (c.rooms.every((r) => r.events === 0 && r.unavailable === null)) await file.write('<p>You have sent nothing in any room.</p>');
  for (const room of c.rooms) {
    if (room.events === 0 && room.unavailable === null) continue;
    await file.write(roomHeading(room));
    const place = layout.get(room.number);
    if (place?.inline) {
      for (const chunk of room.htmlChunks) await copyInto(file, chunk);
    } else {
      await file.write(
        `<p>This room's messages are on pages of their own: ${(place?.pages ?? []).map((p, i) => localLink(p, `page ${i + 1}`)).join(', ')}.</p>`,
      );
    }
  }
  await file.write(pageEnd());
}

/** A page of one room's messages (a room too long for index.html). */
export async function writeRoomPage(file: SpooledFile, room: ExportedRoom, page: number, pages: number, chunk: WrittenFile): Promise<void> {
  await file.write(pageStart(`${roomTitle(room)}: page ${page} of ${pages}`));
  await file.write(`<p>${localLink('../index.html', 'Back to the overview')}</p>`);
  await file.write(roomHeading(room).replace(`id="room-${room.number}"`, ''));
  await file.write(
    `<p>Page ${page} of ${pages}.${page < pages ? ` ${localLink(roomPagePath(room.number, page + 1).slice('pages/'.length), 'Next page')}` : ''}</p>`,
  );
  await copyInto(file, chunk);
  await file.write(pageEnd());
}
