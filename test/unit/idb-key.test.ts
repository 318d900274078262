import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeIdbKey, encodeIdbKey } from '../../src/crypto/idb-key.ts';
import type { IdbKey } from '../../src/patches/fake-indexeddb.ts';

const require = createRequire(import.meta.url);
const { indexedDB } = require('fake-indexeddb') as { indexedDB: { cmp(a: unknown, b: unknown): number } };

const KEYS: IdbKey[] = [
  -Infinity,
  -1e300,
  -2.5,
  -0,
  0,
  1e-300,
  1,
  2,
  255,
  256,
  1e300,
  Infinity,
  new Date(0),
  new Date(-1),
  new Date(1_700_000_000_000),
  '',
  '\u0000',
  'a',
  'a\u0000',
  'aa',
  'b',
  'Z',
  'é',
  '\uffff',
  'matrix-sdk-crypto',
  '!room:example.org',
  new Uint8Array([]).buffer,
  new Uint8Array([0]).buffer,
  new Uint8Array([0, 0]).buffer,
  new Uint8Array([1]).buffer,
  new Uint8Array([255, 1]).buffer,
  [],
  [0],
  [0, 0],
  [1],
  ['a'],
  ['a', 1],
  [[]],
  [['a']],
  [new Uint8Array([2]).buffer],
  ['room', 'session'],
];

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('IndexedDB keys as bytes', () => {
  it('sort exactly as IndexedDB compares the keys (every pair)', () => {
    for (const a of KEYS) for (const b of KEYS) expect([a, b, sign(Buffer.compare(encodeIdbKey(a), encodeIdbKey(b)))]).toEqual([a, b, indexedDB.cmp(a, b)]);
  });

  it('decode to the same key', () => {
    for (const key of KEYS) expect(indexedDB.cmp(decodeIdbKey(encodeIdbKey(key)), key)).toBe(0);
  });

  it('refuse what is not a key', () => {
    expect(() => encodeIdbKey({} as unknown as IdbKey)).toThrow(/not an IndexedDB key/);
    expect(() => decodeIdbKey(Buffer.from([0x99]))).toThrow(/not an encoded IndexedDB key/);
  });
});
