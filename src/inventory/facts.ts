// What the server holds, category by category, as plain facts for the user. Pure.
import type { CategoryId } from '../config/categories.ts';
import type { Availability, Device, Session, Sessions } from '../homeserver/homeserver.ts';
import { code, type Inline } from '../render/document.ts';
import type { Inventory } from './inventory.ts';

export type CategoryFacts = {
  /** Lines describing what is held; empty when the server holds nothing of this kind. */
  facts: Inline[][];
  /** Set when the server could not tell us: shown instead of the facts. */
  unavailable?: string;
};

const MAX_LISTED = 20;

export const formatTime = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];
const present = <T>(value: T | null): value is T => value !== null;

/** Lists at most MAX_LISTED values, saying how many more there are. */
function capped<T>(values: T[], line: (value: T) => Inline[]): Inline[][] {
  const lines = values.slice(0, MAX_LISTED).map(line);
  if (values.length > MAX_LISTED) lines.push([`… and ${values.length - MAX_LISTED} more`]);
  return lines;
}

/** Values as `a`, `b`, `c` on one line, at most MAX_LISTED, saying how many more there are. */
function codeList(values: string[]): Inline[] {
  const listed = values.slice(0, MAX_LISTED).flatMap((value, i): Inline[] => (i === 0 ? [code(value)] : [', ', code(value)]));
  return values.length > MAX_LISTED ? [...listed, ` … and ${values.length - MAX_LISTED} more`] : listed;
}

/** The server's log of connections beside the devices, where it keeps one (Synapse's user_ips). */
function loggedConnections(inventory: Inventory) {
  return connectionLog(inventory.sessions).flatMap((s) => (s.deviceId === null ? s.connections : []));
}

/** Where the server keeps no log, only each device's last IP address and time (Tuwunel). */
const lastSeenPerDevice = (inventory: Inventory): boolean => inventory.sessions.available && inventory.sessions.value.kept === 'last-seen-per-device';

/** The connection log (whois) as a list where the server keeps one; empty elsewhere. */
const connectionLog = (sessions: Availability<Sessions>): Session[] =>
  sessions.available && sessions.value.kept === 'connection-log' ? sessions.value.sessions : [];

/** Every connection the server remembers: its connection log (whois) first, then each device's last one. */
export function connections(input: { sessions: readonly Session[]; devices: readonly Device[] }) {
  const fromSessions = input.sessions.flatMap((s) => s.connections.map((c) => ({ ...c, deviceId: s.deviceId, source: 'connection log' as const })));
  const fromDevices = input.devices.map((d) => ({
    ip: d.lastSeenIp,
    userAgent: d.lastSeenUserAgent,
    lastSeenAt: d.lastSeenAt,
    deviceId: d.deviceId,
    source: 'device' as const,
  }));
  return [...fromSessions, ...fromDevices];
}

function account(inv: Inventory): CategoryFacts {
  const a = inv.account;
  const facts: Inline[][] = [['User ID: ', code(a.userId)]];
  facts.push([`Created: ${a.createdAt === null ? 'not recorded by this server' : formatTime(a.createdAt)}`]);
  facts.push([`Server administrator: ${a.admin ? 'yes' : 'no'}`]);
  facts.push([
    `Password hash: ${a.hasPasswordHash === null ? 'the server does not say; accounts that sign in with a password have one' : a.hasPasswordHash ? 'stored (never shown, not even to us)' : 'none'}`,
  ]);
  if (a.userType !== null) facts.push([`Account type: ${a.userType}`]);
  if (a.deactivated) facts.push(['Deactivated: yes']);
  for (const id of a.externalIds) facts.push([`Single sign-on identity: ${id.authProvider} (`, code(id.externalId), ')']);
  return { facts };
}

function profile(inv: Inventory): CategoryFacts {
  const facts: Inline[][] = [];
  if (inv.account.displayName !== null) facts.push([`Display name: ${inv.account.displayName}`]);
  if (inv.account.avatarUrl !== null) facts.push(['Avatar: ', code(inv.account.avatarUrl)]);
  return { facts };
}

function emails(inv: Inventory): CategoryFacts {
  const phones = inv.account.phoneNumbers.map((phone): Inline[] => [`Phone number: ${phone}`]);
  return { facts: [...inv.account.emails.map((email): Inline[] => [email]), ...phones] };
}

function devices(inv: Inventory): CategoryFacts {
  return { facts: capped(inv.devices, (d) => [code(d.deviceId), d.displayName === null ? ' (no name)' : ` “${d.displayName}”`]) };
}

function ipAddresses(inv: Inventory): CategoryFacts {
  if (lastSeenPerDevice(inv)) {
    const seen = inv.devices.filter((d) => d.lastSeenIp !== null);
    return { facts: capped(seen, (d): Inline[] => [code(d.lastSeenIp!), ', the last address of device ', code(d.deviceId)]) };
  }
  const ips = unique(
    connections({ sessions: connectionLog(inv.sessions), devices: inv.devices })
      .map((c) => c.ip)
      .filter(present),
  );
  return { facts: capped(ips, (ip) => [code(ip)]) };
}

function userAgents(inv: Inventory): CategoryFacts {
  const agents = unique(
    connections({ sessions: connectionLog(inv.sessions), devices: inv.devices })
      .map((c) => c.userAgent)
      .filter(present),
  );
  return { facts: capped(agents, (agent) => [agent]) };
}

function connectionTimes(inv: Inventory): CategoryFacts {
  const seen = inv.devices.filter((d) => d.lastSeenAt !== null);
  const facts = capped(seen, (d): Inline[] => ['Device ', code(d.deviceId), ` last seen ${formatTime(d.lastSeenAt!)}`]);
  // Connections not tied to a device are a separate log (Synapse's user_ips); per-device
  // sessions repeat the device times above.
  const logged = loggedConnections(inv)
    .map((c) => c.lastSeenAt)
    .filter(present);
  if (logged.length > 0) facts.push([`${logged.length} logged connection(s), the latest ${formatTime(Math.max(...logged))}`]);
  if (facts.length > 0 && lastSeenPerDevice(inv)) {
    facts.push(['Only the last time and address each device was seen are kept: no history of your connections']);
  }
  if (facts.length === 0 && inv.account.lastSeenAt !== null) facts.push([`Account last seen ${formatTime(inv.account.lastSeenAt)}`]);
  return { facts };
}

function rooms(inv: Inventory): CategoryFacts {
  const all = inv.memberships.available ? inv.memberships.value : inv.memberships.joined;
  const facts: Inline[][] = [];
  for (const [membership, label] of [
    ['join', 'Joined'],
    ['invite', 'Invited to'],
    ['leave', 'Left'],
    ['ban', 'Banned from'],
  ] as const) {
    const ids = all.filter((m) => m.membership === membership).map((m) => m.roomId);
    if (ids.length === 0) continue;
    facts.push([`${label}: ${ids.length} room(s): `, ...codeList(ids)]);
  }
  if (!inv.memberships.available) facts.push([`Rooms you have left: ${inv.memberships.reason}`]);
  facts.push(...recipientFacts(inv));
  return { facts };
}

/** Art. 15(1)(c): the other servers in the user's rooms, by name, room by room. */
function recipientFacts(inv: Inventory): Inline[][] {
  if (!inv.recipients.available) return [[`Other servers in your rooms: ${inv.recipients.reason}`]];
  if (inv.recipients.value.length === 0) return [['Other servers in your rooms: none; nothing you sent left this server']];
  return [
    ['Other servers in your rooms, which received what you sent there (federation):'],
    ...inv.recipients.value.map((r): Inline[] => [code(r.roomId), `: ${r.servers.join(', ')}`]),
  ];
}

function messages(inv: Inventory): CategoryFacts {
  if (!inv.messages.available) return { facts: [], unavailable: inv.messages.reason };
  const { count, roomsSearched } = inv.messages.value;
  return { facts: count === 0 ? [] : [[`${count} message(s) you sent, in the ${roomsSearched} room(s) you are or were in`]] };
}

function media(inv: Inventory): CategoryFacts {
  const { count, totalBytes } = inv.media;
  return { facts: count === 0 ? [] : [[`${count} file(s) you uploaded, ${formatBytes(totalBytes)} in all`]] };
}

function accountData(inv: Inventory): CategoryFacts {
  const facts: Inline[][] = [];
  if (inv.accountData.globalTypes.length > 0) facts.push(['Settings: ', ...codeList(inv.accountData.globalTypes)]);
  for (const room of inv.accountData.rooms) facts.push(['Per-room settings in ', code(room.roomId), `: ${room.types.join(', ')}`]);
  return { facts };
}

function pushers(inv: Inventory): CategoryFacts {
  return {
    facts: inv.pushers.map((p): Inline[] => [
      `${p.appDisplayName ?? p.appId}${p.deviceDisplayName ? ` on ${p.deviceDisplayName}` : ''}`,
      p.gatewayUrl ? ` (notifications go through ${p.gatewayUrl})` : '',
    ]),
  };
}

function encryptionKeys(inv: Inventory): CategoryFacts {
  if (!inv.encryptionKeys.available) return { facts: [], unavailable: inv.encryptionKeys.reason };
  const keys = inv.encryptionKeys.value;
  const facts: Inline[][] = [];
  if (keys.devicesWithKeys.length > 0)
    facts.push([`Public identity keys for ${keys.devicesWithKeys.length} device(s); the server never holds keys that can read your encrypted messages`]);
  if (keys.crossSigning) facts.push(['Cross-signing keys (public parts)']);
  return { facts };
}

const DESCRIBERS: Record<CategoryId, (inventory: Inventory) => CategoryFacts> = {
  account,
  profile,
  emails,
  devices,
  ipAddresses,
  userAgents,
  connectionTimes,
  rooms,
  messages,
  media,
  accountData,
  pushers,
  encryptionKeys,
};

export function categoryFacts(inventory: Inventory, category: CategoryId): CategoryFacts {
  return DESCRIBERS[category](inventory);
}
