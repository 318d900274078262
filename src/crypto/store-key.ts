// The key that encrypts the WebAssembly engine's store: derived from the operator's
// passphrase with scrypt (in Node, fast, instead of the engine's PBKDF2 in
// WebAssembly), with a random salt kept next to the store. Without the passphrase
// the store cannot be opened; with a wrong one the engine refuses it.
import { randomBytes, scryptSync } from 'node:crypto';
import type { Db } from '../store/database.ts';
import { metaValueOnce } from '../store/meta.ts';

const SALT_KEY = 'crypto_store_salt';

/** scrypt's cost: about 0.1 s and 32 MiB once per start. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function storeKeyFor(db: Db, passphrase: string): Uint8Array {
  const salt = Buffer.from(metaValueOnce(db, SALT_KEY, randomBytes(16).toString('base64')), 'base64');
  return new Uint8Array(scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT));
}
