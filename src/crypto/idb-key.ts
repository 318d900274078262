// IndexedDB keys as bytes that sort the way IndexedDB compares keys, so that the
// SQLite copy of an object store can delete a key range with plain BLOB comparisons
// (SQLite compares BLOBs with memcmp). Pure.
//
// IndexedDB orders keys by type first (number < date < string < binary < array),
// then by value: numbers and dates numerically, strings by UTF-16 code unit,
// binary byte by byte, arrays element by element (a prefix sorts first).
import type { IdbKey } from '../patches/fake-indexeddb.ts';

const NUMBER = 0x10;
const DATE = 0x20;
const STRING = 0x30;
const BINARY = 0x40;
const ARRAY = 0x50;
/** Ends a string, a binary or an array: lower than every unit and every type tag. */
const END = 0x00;
/** Precedes every unit of a string or binary, so that END sorts first. */
const MORE = 0x01;

/** An IEEE 754 double as 8 bytes whose unsigned order is the numeric order. */
function sortableDouble(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value === 0 ? 0 : value); // -0 and 0 are the same key
  if (bytes[0]! & 0x80) for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff;
  else bytes[0] = bytes[0]! | 0x80;
  return bytes;
}

function readSortableDouble(bytes: Buffer): number {
  const copy = Buffer.from(bytes);
  if (copy[0]! & 0x80) copy[0] = copy[0]! & 0x7f;
  else for (let i = 0; i < 8; i++) copy[i] = ~copy[i]! & 0xff;
  return copy.readDoubleBE();
}

function bytesOf(key: ArrayBuffer | ArrayBufferView): Uint8Array {
  return key instanceof ArrayBuffer ? new Uint8Array(key) : new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
}

function write(key: IdbKey, out: number[]): void {
  if (typeof key === 'number') {
    out.push(NUMBER, ...sortableDouble(key));
  } else if (key instanceof Date) {
    out.push(DATE, ...sortableDouble(key.getTime()));
  } else if (typeof key === 'string') {
    out.push(STRING);
    for (let i = 0; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      out.push(MORE, unit >> 8, unit & 0xff);
    }
    out.push(END);
  } else if (Array.isArray(key)) {
    out.push(ARRAY);
    for (const element of key) write(element, out);
    out.push(END);
  } else if (key instanceof ArrayBuffer || ArrayBuffer.isView(key)) {
    out.push(BINARY);
    for (const byte of bytesOf(key)) out.push(MORE, byte);
    out.push(END);
  } else {
    throw new TypeError(`not an IndexedDB key: ${typeof key}`);
  }
}

export function encodeIdbKey(key: IdbKey): Buffer {
  const out: number[] = [];
  write(key, out);
  return Buffer.from(out);
}

function read(bytes: Buffer, at: number): { key: IdbKey; next: number } {
  const tag = bytes[at];
  switch (tag) {
    case NUMBER:
      return { key: readSortableDouble(bytes.subarray(at + 1, at + 9)), next: at + 9 };
    case DATE:
      return { key: new Date(readSortableDouble(bytes.subarray(at + 1, at + 9))), next: at + 9 };
    case STRING: {
      const units: number[] = [];
      let i = at + 1;
      while (bytes[i] === MORE) {
        units.push((bytes[i + 1]! << 8) | bytes[i + 2]!);
        i += 3;
      }
      return { key: String.fromCharCode(...units), next: i + 1 };
    }
    case BINARY: {
      const out: number[] = [];
      let i = at + 1;
      while (bytes[i] === MORE) {
        out.push(bytes[i + 1]!);
        i += 2;
      }
      return { key: new Uint8Array(out).buffer, next: i + 1 };
    }
    case ARRAY: {
      const elements: IdbKey[] = [];
      let i = at + 1;
      while (bytes[i] !== END) {
        const element = read(bytes, i);
        elements.push(element.key);
        i = element.next;
      }
      return { key: elements, next: i + 1 };
    }
    default:
      throw new Error(`not an encoded IndexedDB key (tag ${String(tag)} at ${at})`);
  }
}

export function decodeIdbKey(bytes: Buffer): IdbKey {
  const { key, next } = read(bytes, 0);
  if (next !== bytes.length) throw new Error('not an encoded IndexedDB key (trailing bytes)');
  return key;
}
