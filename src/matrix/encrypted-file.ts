// A file encrypted for an end-to-end encrypted room, as a stream from disk to disk: the
// spec's EncryptedFile v2 (AES-256-CTR, a random key and a random 64-bit IV prefix, and the
// SHA-256 of the ciphertext, which clients check before they decrypt). The crypto engine's
// own Attachment.encrypt does the same on a buffer held whole in memory; an export's part can
// be as large as the server's upload limit, so it is encrypted here with Node's AES instead.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The `file` of an encrypted m.file, without its `url` (known once the ciphertext is uploaded). */
export type EncryptedFileKeys = {
  v: 'v2';
  key: { kty: 'oct'; key_ops: ['encrypt', 'decrypt']; alg: 'A256CTR'; k: string; ext: true };
  iv: string;
  hashes: { sha256: string };
};

const unpadded = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

/** Encrypts `source` into `target` and answers what a client needs to decrypt it. */
export async function encryptFile(source: string, target: string, signal?: AbortSignal): Promise<EncryptedFileKeys> {
  const key = randomBytes(32);
  // The low 64 bits are the block counter: zero, so that it can never wrap within one file.
  const iv = Buffer.concat([randomBytes(8), Buffer.alloc(8)]);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(
    createReadStream(source),
    createCipheriv('aes-256-ctr', key, iv),
    hashing,
    createWriteStream(target, { mode: 0o600 }),
    ...(signal ? [{ signal }] : []),
  );
  return {
    v: 'v2',
    key: { kty: 'oct', key_ops: ['encrypt', 'decrypt'], alg: 'A256CTR', k: key.toString('base64url'), ext: true },
    iv: unpadded(iv),
    hashes: { sha256: unpadded(hash.digest()) },
  };
}
