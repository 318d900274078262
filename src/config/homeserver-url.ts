// The address the bot uses for the homeserver's client and admin APIs.
import { z } from 'zod';
import { quote } from './redact.ts';

/** Why `text` is not a usable homeserver address (http(s), host, optional port; no path, query or credentials), or null. */
function homeserverUrlProblem(text: string): string | null {
  if (text.trim() === '') return 'it is empty';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
      ? 'it is not a valid web address'
      : 'it must start with "http://" or "https://", like "https://matrix.example.org"';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'it must start with "http://" or "https://"';
  if (url.username !== '' || url.password !== '') {
    return 'it contains a user name or password; remove them (the bot signs in with the token in DSAR_BOT_ACCESS_TOKEN)';
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    return url.pathname.startsWith('/_matrix')
      ? 'remove the path: the bot adds "/_matrix/..." itself'
      : `remove the path ${quote(url.pathname)}: write only the scheme, host and port`;
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) return 'remove the "?..." or "#..." part';
  return null;
}

/** Validated and normalised to its origin, e.g. "https://matrix.example.org" (no trailing slash). */
export const HomeserverUrl = z
  .string()
  .superRefine((value, ctx) => {
    const why = homeserverUrlProblem(value);
    if (why !== null) ctx.addIssue({ code: 'custom', message: `${quote(value)} is not a usable homeserver address: ${why}.` });
  })
  // Documented before the transform: a JSON Schema of the file describes what is written, not what it becomes.
  .meta({
    description: 'the address where the bot reaches the homeserver: "http://" or "https://", a host and an optional port, nothing after it',
    examples: ['https://matrix.example.org', 'http://127.0.0.1:8008'],
  })
  .transform((value) => new URL(value).origin);
