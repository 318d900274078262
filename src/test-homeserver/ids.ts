// Identifier generators shaped like Synapse's, so that code parsing IDs sees
// realistic values: room IDs are "!" + 18 letters, event IDs "$" + 43
// url-safe base64 characters (room version 9 reference hashes).
import { randomBytes, randomInt } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function randomLetters(length: number, alphabet = LETTERS): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export function newRoomId(serverName: string): string {
  return `!${randomLetters(18)}:${serverName}`;
}

export function newEventId(): string {
  // 32 random bytes -> 43 unpadded url-safe base64 characters, like a sha256.
  return `$${randomBytes(32).toString('base64url')}`;
}

/** Synapse device IDs are 10 upper-case letters. */
export function newDeviceId(): string {
  return randomLetters(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
}

/** Synapse media IDs are 24 letters. */
export function newMediaId(): string {
  return randomLetters(24);
}

/** Access tokens look like Synapse's "syt_<base64 localpart>_<random>_<crc>". */
export function newAccessToken(localpart: string): string {
  const name = Buffer.from(localpart).toString('base64url');
  return `syt_${name}_${randomLetters(20)}_${randomLetters(6)}`;
}
