// Matrix identifiers in the config: server names, user IDs, room aliases and
// room IDs (https://spec.matrix.org/latest/appendices/#identifier-grammar).
// Each check returns why a value is wrong, in words an operator understands,
// or null when it is fine.
import { z } from 'zod';
import { quote } from './redact.ts';

const MAX_ID_LENGTH = 255;

function ipv4Ok(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Why `name` is not a Matrix server name (host or host:port), or null. */
export function serverNameProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (/\s/.test(name)) return 'it contains spaces';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return 'write only the host name, without "http://" or "https://"';
  if (name.includes('/')) return 'write only the host name, without a path or "/"';
  if (name.includes('@')) return 'it contains "@": write only the host name (the part after the colon in a user ID)';
  let host = name;
  let port: string | undefined;
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end < 0) return 'an IPv6 address must be closed with "]"';
    host = name.slice(0, end + 1);
    const rest = name.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return 'only ":port" may follow an IPv6 address';
      port = rest.slice(1);
    }
    if (!/^\[[0-9A-Fa-f:.]{2,45}\]$/.test(host)) return 'the IPv6 address in brackets is not valid';
  } else {
    const colon = name.indexOf(':');
    if (colon >= 0) {
      host = name.slice(0, colon);
      port = name.slice(colon + 1);
    }
    if (host === '') return 'the host name is empty';
    if (/^[\d.]+$/.test(host)) {
      if (!ipv4Ok(host)) return 'it is not a valid IPv4 address';
    } else {
      if (host.length > 255) return 'the host name is longer than 255 characters';
      if (!/^[A-Za-z0-9.-]+$/.test(host)) return 'a host name may contain only letters, digits, "-" and "."';
      const labels = host.split('.');
      if (labels.some((l) => l === '')) return 'the host name has an empty part between dots';
      if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) return 'a part of the host name starts or ends with "-"';
    }
  }
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return 'the port after ":" must be a number from 1 to 65535';
  }
  return null;
}

/** Splits "@local:server" (or #, !) at the first colon; the server part may itself contain colons. */
function splitId(id: string): { sigil: string; local: string; server: string } | null {
  const colon = id.indexOf(':');
  if (colon < 0) return null;
  return { sigil: id.slice(0, 1), local: id.slice(1, colon), server: id.slice(colon + 1) };
}

function matrixToHint(value: string): string | null {
  const m = /matrix\.to\/#\/([^?]+)/.exec(value);
  if (m && m[1] !== undefined) return `this is a matrix.to link; write only the ID, ${quote(decodeURIComponent(m[1]))}`;
  return null;
}

/** Why `id` is not a Matrix user ID (@localpart:server), or null. */
export function userIdProblem(id: string): string | null {
  const link = matrixToHint(id);
  if (link) return link;
  if (id === '') return 'it is empty';
  if (/\s/.test(id)) return 'it contains spaces';
  if (!id.startsWith('@')) {
    if (id.startsWith('#') || id.startsWith('!')) return 'this is a room, not a user; a user ID starts with "@"';
    return id.includes(':') ? `it must start with "@", like ${quote(`@${id}`)}` : 'it must start with "@" and have a server part, like "@alice:example.org"';
  }
  if (id.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  const parts = splitId(id);
  if (!parts) return 'it has no server part: write "@localpart:server", like "@alice:example.org"';
  if (parts.local === '') return 'the part between "@" and ":" is empty';
  // Printable ASCII except ":" (the historical grammar, which existing accounts may use).
  if (!/^[\x21-\x39\x3B-\x7E]+$/.test(parts.local)) return 'the part before ":" may contain only printable ASCII characters';
  const why = serverNameProblem(parts.server);
  if (why) return `the server part ${quote(parts.server)} is not a valid server name: ${why}`;
  return null;
}

/** Why `alias` is not a room alias (#name:server), or null. */
function roomAliasProblem(alias: string): string | null {
  if (!alias.startsWith('#')) return 'a room alias starts with "#"';
  if (alias.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  const parts = splitId(alias);
  if (!parts) return 'it has no server part: write "#name:server", like "#privacy:example.org"';
  if (parts.local === '') return 'the part between "#" and ":" is empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\s\x00-\x1F\x7F]/.test(parts.local)) return 'the name contains spaces or control characters';
  const why = serverNameProblem(parts.server);
  if (why) return `the server part ${quote(parts.server)} is not a valid server name: ${why}`;
  return null;
}

/** Why `id` is not a room ID (!opaque:server, or the server-less form of room version 12), or null. */
function roomIdProblem(id: string): string | null {
  if (!id.startsWith('!')) return 'a room ID starts with "!"';
  if (id.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\s\x00-\x1F\x7F]/.test(id)) return 'it contains spaces or control characters';
  const parts = splitId(id);
  if (!parts) {
    // Room version 12: "!" followed by the unpadded URL-safe base64 of a SHA-256 hash.
    return /^![A-Za-z0-9_-]{43}$/.test(id) ? null : 'it has no server part: write "!id:server", as shown in your client\'s room settings';
  }
  if (parts.local === '') return 'the part between "!" and ":" is empty';
  const why = serverNameProblem(parts.server);
  if (why) return `the server part ${quote(parts.server)} is not a valid server name: ${why}`;
  return null;
}

/** Why `value` is neither a room alias nor a room ID, or null. */
export function roomProblem(value: string): string | null {
  const link = matrixToHint(value);
  if (link) return link;
  if (value === '') return 'it is empty';
  if (value.startsWith('#')) return roomAliasProblem(value);
  if (value.startsWith('!')) return roomIdProblem(value);
  if (value.startsWith('@')) return 'this is a user, not a room; a room alias starts with "#" and a room ID with "!"';
  return 'it must be a room alias starting with "#" (like "#privacy:example.org") or a room ID starting with "!"';
}

/** The server part of a Matrix ID (user, room alias): everything after the first colon; empty without one. */
export function serverPart(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? '' : id.slice(colon + 1);
}

function checked(problemOf: (s: string) => string | null, what: string) {
  return z.string().superRefine((value, ctx) => {
    const why = problemOf(value);
    if (why !== null) ctx.addIssue({ code: 'custom', message: `${quote(value)} is not ${what}: ${why}.` });
  });
}

export const ServerName = checked(serverNameProblem, 'a valid Matrix server name');
export const UserId = checked(userIdProblem, 'a valid Matrix user ID');
export const RoomRef = checked(roomProblem, 'a valid room alias or room ID');
