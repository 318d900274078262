// The contents of data/<category>.json: for each category, what it covers, the operator's
// declaration (purpose, legal basis, retention, recipients, source) and the data itself,
// as the server stores it wherever the server gave it whole. Pure.
import { CATEGORY_CONTENTS, CATEGORY_IDS, CATEGORY_LABELS, type CategoryId } from '../../config/categories.ts';
import type { Policy } from '../../config/policy.ts';
import type { Availability } from '../../homeserver/homeserver.ts';
import { connections } from '../../inventory/facts.ts';
import type { Collected } from './collected.ts';
import { categoryPath, messagesPath } from './paths.ts';

const iso = (ms: number | null | undefined): string | null => (typeof ms === 'number' && ms > 0 ? new Date(ms).toISOString() : null);
const orReason = <T, U>(a: Availability<T>, f: (value: T) => U): U | { unavailable: string } => (a.available ? f(a.value) : { unavailable: a.reason });

function dataOf(c: Collected, id: CategoryId, roomPages: ReadonlyMap<number, string[]>): unknown {
  const account = c.account.value;
  const seen = connections({ sessions: c.sessions.available ? c.sessions.value.value : [], devices: c.devices.value });
  switch (id) {
    case 'account':
      return c.account.stored;
    case 'profile': {
      const avatar = c.media.find((m) => account.avatarUrl !== null && m.media.mxc === account.avatarUrl);
      return {
        display_name: account.displayName,
        avatar_url: account.avatarUrl,
        avatar_file: avatar?.file ? avatar.path : null,
        other_fields: orReason(c.profileFields, (fields) => fields),
      };
    }
    case 'emails': {
      const stored = c.account.stored as Record<string, unknown>;
      return {
        email_addresses: account.emails,
        phone_numbers: account.phoneNumbers,
        threepids: stored['threepids'] ?? [],
        external_ids: stored['external_ids'] ?? [],
      };
    }
    case 'devices':
      return { devices: c.devices.stored, sessions: orReason(c.sessions, (s) => s.stored) };
    case 'ipAddresses':
      return seen.filter((s) => s.ip !== null).map((s) => ({ ip: s.ip, last_seen: iso(s.lastSeenAt), device_id: s.deviceId, source: s.source }));
    case 'userAgents':
      return seen
        .filter((s) => s.userAgent !== null)
        .map((s) => ({ user_agent: s.userAgent, last_seen: iso(s.lastSeenAt), device_id: s.deviceId, source: s.source }));
    case 'connectionTimes':
      return {
        account_last_seen: iso(account.lastSeenAt),
        connections: seen.filter((s) => s.lastSeenAt !== null).map((s) => ({ last_seen: iso(s.lastSeenAt), device_id: s.deviceId, source: s.source })),
      };
    case 'rooms':
      return {
        ...(c.memberships.available ? {} : { rooms_left: c.memberships.reason }),
        ...(c.roomsNotChecked.rooms.length > 0 || c.roomsNotChecked.notAskedAbout > 0
          ? {
              rooms_not_checked: {
                note:
                  'Rooms of this server that could not be checked for you, so any of yours among them are not in this ' +
                  'package; the privacy contact can look.',
                rooms: c.roomsNotChecked.rooms.map((r) => ({ room_id: r.roomId, why: r.reason })),
                not_asked_about: c.roomsNotChecked.notAskedAbout,
              },
            }
          : {}),
        rooms: c.rooms.map((r) => ({
          number: r.number,
          room_id: r.roomId,
          name: r.details?.name ?? null,
          canonical_alias: r.details?.canonicalAlias ?? null,
          topic: r.details?.topic ?? null,
          encrypted: r.details?.encrypted ?? null,
          your_membership: r.membership,
          other_servers: r.servers ?? 'this server cannot tell',
          membership_history: r.membershipHistory,
          events_you_sent: r.events,
          messages_file: messagesPath(r.number),
        })),
      };
    case 'messages':
      return {
        only_yours: 'These are the events you sent. Other people’s messages are their personal data (GDPR Art. 15(4)), so they are not in this package.',
        encrypted:
          'In encrypted rooms the server holds only ciphertext, which it cannot decrypt: those events are here ' +
          'as stored. Your own apps can read them with your keys.',
        total_events: c.rooms.reduce((sum, r) => sum + r.events, 0),
        total_messages: c.rooms.reduce((sum, r) => sum + r.messages, 0),
        rooms: c.rooms.map((r) => ({
          number: r.number,
          room_id: r.roomId,
          name: r.details?.name ?? null,
          file: messagesPath(r.number),
          pages: roomPages.get(r.number) ?? [],
          events: r.events,
          messages: r.messages,
          first: iso(r.firstAt),
          last: iso(r.lastAt),
          ...(r.unavailable === null ? {} : { unavailable: r.unavailable }),
        })),
      };
    case 'media':
      return c.media.map((m) => ({
        number: m.number,
        file: m.file ? m.path : null,
        mxc: m.media.mxc,
        content_type: m.media.contentType,
        size: m.media.size ?? m.file?.size ?? null,
        uploaded: iso(m.media.createdAt),
        upload_name: m.media.uploadName,
        sha256: m.file?.sha256 ?? null,
        ...(m.origin === 'avatar' ? { note: 'your avatar, which is not one of your uploads on this server' } : {}),
        ...(m.unavailable === null ? {} : { unavailable: m.unavailable }),
        stored: m.stored,
      }));
    case 'accountData':
      return { account_data: c.accountData.stored, room_tags: orReason(c.roomTags, (rooms) => rooms.map((r) => ({ room_id: r.roomId, tags: r.tags }))) };
    case 'pushers':
      return c.pushers.stored;
    case 'encryptionKeys':
      return {
        public_keys: orReason(c.keys, (k) => k.stored),
        key_backup: orReason(c.keyBackup, (b) => b ?? 'none: you have no key backup on this server'),
        note:
          'Only public keys are on the server; the keys that decrypt your messages never leave your devices (a ' +
          'key backup is encrypted by your apps before it is uploaded).',
      };
  }
}

/** A category's file: its data (index.html shows the same) and the JSON written to data/<category>.json. */
export type CategoryFile = { id: CategoryId; path: string; data: unknown; json: string };

export function categoryFiles(c: Collected, policy: Policy, roomPages: ReadonlyMap<number, string[]>): CategoryFile[] {
  return CATEGORY_IDS.map((id) => {
    const data = dataOf(c, id, roomPages);
    const file = { category: id, title: CATEGORY_LABELS[id], covers: CATEGORY_CONTENTS[id], declared: policy.categories[id], data };
    return { id, path: categoryPath(id), data, json: `${JSON.stringify(file, null, 2)}\n` };
  });
}
