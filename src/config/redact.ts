// How values from the config file are quoted back in problem messages. An
// operator needs to see what they wrote, but never a secret: anything that
// looks like a token is replaced, and URL credentials are masked.

const MAX_SHOWN = 80;

/** Matrix access tokens (Synapse syt_/syr_, MAS mat_/mct_) and other opaque secrets. */
const TOKEN_PREFIX = /^(syt|syr|syl|mat|mct|mar|ghp|gho|sk|pk|xox[abp])_/i;
const OPAQUE = /^[A-Za-z0-9_\-+/=.]{24,}$/;

/** True for strings that could be a secret: token prefixes, or long unbroken opaque text. */
export function looksLikeSecretValue(text: string): boolean {
  const s = text.trim();
  if (TOKEN_PREFIX.test(s)) return true;
  // Long opaque strings without spaces, @, :, # or ! are not IDs, paths or prose.
  if (OPAQUE.test(s) && /[0-9]/.test(s) && /[A-Za-z]/.test(s) && !s.includes('/')) return true;
  return false;
}

/** Masks user:password@ in anything URL-like. */
function maskUrlCredentials(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

/** A string value as it may appear in a message: quoted, shortened, never a secret. */
export function quote(text: string): string {
  if (looksLikeSecretValue(text)) return '(a value that looks like a secret, not shown)';
  let s = maskUrlCredentials(text);
  if (s.length > MAX_SHOWN) s = `${s.slice(0, MAX_SHOWN - 1)}…`;
  return JSON.stringify(s);
}

/** What kind of value this is, in words, e.g. "the number 8008" or "a list". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'empty text ("")' : `the text ${quote(value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? `the number ${value}` : 'a number that is not finite';
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list []' : 'a list [...]';
  if (typeof value === 'object') return 'an object {...}';
  return `a value of type ${typeof value}`;
}

/** Replaces every occurrence of the given secrets (longer than 3 characters) in text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 3) out = out.split(secret).join('(secret not shown)');
  }
  return out;
}
