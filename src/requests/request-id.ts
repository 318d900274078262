// Request IDs short enough to type from a phone: "R-" and four characters of Crockford's
// base32 (no I, L, O or U), about a million of them. Reading is forgiving: lower case,
// a missing "R-", and the letters people confuse with digits are accepted.
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 4;

export function newRequestId(random: (max: number) => number = randomInt): string {
  let id = 'R-';
  for (let i = 0; i < LENGTH; i++) id += ALPHABET[random(ALPHABET.length)];
  return id;
}

/** The canonical ID a person meant ("r-7k3q", "7K3Q", "R-7KЗQ" is not one), or null. */
export function parseRequestId(text: string): string | null {
  const bare = text.trim().toUpperCase().replace(/^R-?/, '');
  if (bare.length !== LENGTH) return null;
  const normal = bare.replace(/O/g, '0').replace(/[IL]/g, '1');
  return [...normal].every((c) => ALPHABET.includes(c)) ? `R-${normal}` : null;
}
