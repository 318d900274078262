// Writes a planned part as a zip file. Every entry's bytes are already on disk in the form the
// zip holds them: text deflated as it was written (spooled-file.ts), media and pieces of big
// files stored as they are; with their CRC-32 and sizes known, each entry is a header and a copy,
// hashed on its way to disk. archiver, which wrote the parts before, deflates every entry again
// as it goes and cannot take bytes already deflated: compressing once, while the walk waits on
// the server, took the zip from about 0.4 s to well under 0.1 s for 12 MB (`npm run bench:export`).
// The format is PKWARE's APPNOTE 6.3: local headers, a central directory, its end record, and
// zip64 records where a size, an offset or the number of entries needs them.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { crc32, deflateRawSync } from 'node:zlib';
import { MANIFEST_PATH } from './paths.ts';
import type { PlannedPart } from './parts.ts';
import { ZIP_LEVEL, type WrittenFile } from './spooled-file.ts';

export type WrittenPart = { number: number; diskPath: string; size: number; sha256: string };

export type PartSource = {
  /** The file written for a package path (its bytes, checksum, and deflated copy). */
  fileOf: (path: string) => WrittenFile;
  manifest: Buffer;
  /** Every entry gets this date, so that the same data makes the same zip. */
  date: Date;
  /** Zip64 records for every entry, needed or not (tests of the records readers must accept). */
  forceZip64?: boolean;
};

const STORED = 0;
const DEFLATED = 8;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** Made by: Unix (3), so that the external attributes carry a Unix mode. */
const MADE_BY = (3 << 8) | VERSION_ZIP64;
/** A regular file, rw-r--r--, as its Unix mode in the high half of the external attributes. */
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;
const MAX_32 = 0xffffffff;
const MAX_16 = 0xffff;

const COPY_CHUNK = 1024 * 1024;

/** An entry's bytes: a range of a file on disk, as the zip holds them. */
type EntryData = { method: number; crc: number; size: number; compressedSize: number; from: { path: string; offset: number } | Buffer };

type CentralRecord = { name: Buffer; data: EntryData; offset: number; zip64: boolean };

/**
 * Writes the part. The copying is synchronous, a file at a time (the export process has nothing
 * else to do meanwhile, and a zip of a hundred small files spent more time passing each read
 * and write through the thread pool than copying); between entries it lets messages in, such
 * as the bot's `stop`.
 */
export async function writePart(part: PlannedPart, diskPath: string, source: PartSource, signal?: AbortSignal): Promise<WrittenPart> {
  const sink = new HashingSink(openSync(diskPath, 'wx', 0o600));
  try {
    const time = dosDateTime(source.date);
    const central: CentralRecord[] = [];
    const add = async (name: string, data: EntryData) => {
      await nextTurn();
      signal?.throwIfAborted();
      const encoded = Buffer.from(name, 'utf8');
      const zip64 = source.forceZip64 === true || data.size >= MAX_32 || data.compressedSize >= MAX_32;
      const offset = sink.offset;
      sink.write(localHeader(encoded, data, time, zip64));
      if (Buffer.isBuffer(data.from)) sink.write(data.from);
      else sink.copy(data.from.path, data.from.offset, data.compressedSize);
      central.push({ name: encoded, data, offset, zip64: zip64 || offset >= MAX_32 });
    };

    const manifest = deflateRawSync(source.manifest, { level: ZIP_LEVEL });
    await add(MANIFEST_PATH, { method: DEFLATED, crc: crc32(source.manifest), size: source.manifest.length, compressedSize: manifest.length, from: manifest });
    for (const entry of part.entries) await add(entry.name, entryData(entry, source.fileOf(entry.source), sink.buffer));

    const directoryOffset = sink.offset;
    for (const record of central) sink.write(centralHeader(record, time, source.forceZip64 === true));
    const directorySize = sink.offset - directoryOffset;
    sink.write(directoryEnd(central.length, directorySize, directoryOffset, source.forceZip64 === true));
  } finally {
    sink.close();
  }
  return { number: part.number, diskPath, size: sink.offset, sha256: sink.digest() };
}

/** Where an entry's bytes are: the deflated copy of a whole text file, or a range of the file stored as it is. */
function entryData(entry: PlannedPart['entries'][number], file: WrittenFile, buffer: Buffer): EntryData {
  const whole = entry.offset === 0 && entry.length === file.size;
  if (!entry.store) {
    if (file.deflated === null || !whole) throw new Error(`${entry.name}: no deflated copy to write`);
    return { method: DEFLATED, crc: file.crc32, size: file.size, compressedSize: file.deflated.size, from: { path: file.deflated.diskPath, offset: 0 } };
  }
  // A piece of a big file has a checksum of its own.
  const crc = whole ? file.crc32 : crcOfRange(file.diskPath, entry.offset, entry.length, buffer);
  return { method: STORED, crc, size: entry.length, compressedSize: entry.length, from: { path: file.diskPath, offset: entry.offset } };
}

/** Reads `length` bytes of a file from `offset`, a chunk at a time, into `buffer` (one for the whole part). */
function eachChunk(path: string, offset: number, length: number, buffer: Buffer, use: (chunk: Buffer) => void): void {
  const file = openSync(path, 'r');
  try {
    for (let done = 0; done < length; ) {
      const read = readSync(file, buffer, 0, Math.min(buffer.length, length - done), offset + done);
      if (read === 0) throw new Error(`${path} ended before its entry did`);
      use(buffer.subarray(0, read));
      done += read;
    }
  } finally {
    closeSync(file);
  }
}

function crcOfRange(path: string, offset: number, length: number, buffer: Buffer): number {
  let crc = 0;
  eachChunk(path, offset, length, buffer, (chunk) => (crc = crc32(chunk, crc)));
  return crc;
}

/** Writes to the part's file, counting and hashing every byte. */
class HashingSink {
  readonly #out: number;
  readonly #hash: Hash = createHash('sha256');
  /** Every copy goes through this one buffer. */
  readonly buffer = Buffer.allocUnsafe(COPY_CHUNK);
  offset = 0;

  constructor(out: number) {
    this.#out = out;
  }

  write(bytes: Buffer): void {
    this.#hash.update(bytes);
    for (let done = 0; done < bytes.length; ) done += writeSync(this.#out, bytes, done, bytes.length - done, this.offset + done);
    this.offset += bytes.length;
  }

  /** Copies `length` bytes of a file from `offset`. */
  copy(path: string, offset: number, length: number): void {
    eachChunk(path, offset, length, this.buffer, (chunk) => this.write(chunk));
  }

  close(): void {
    closeSync(this.#out);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

function localHeader(name: Buffer, data: EntryData, time: DosDateTime, zip64: boolean): Buffer {
  const extra = zip64 ? zip64Extra([data.size, data.compressedSize]) : Buffer.alloc(0);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(data.method, 8);
  header.writeUInt16LE(time.time, 10);
  header.writeUInt16LE(time.date, 12);
  header.writeUInt32LE(data.crc >>> 0, 14);
  header.writeUInt32LE(zip64 ? MAX_32 : data.compressedSize, 18);
  header.writeUInt32LE(zip64 ? MAX_32 : data.size, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, name, extra]);
}

function centralHeader(record: CentralRecord, time: DosDateTime, force: boolean): Buffer {
  const { data, name, offset } = record;
  // Each field that does not fit (or every one, when forced) is MAX_32 here and 8 bytes in the zip64 extra, in this order.
  const big = (value: number) => force || record.zip64 || value >= MAX_32;
  const wide = [data.size, data.compressedSize, offset].filter(big);
  const extra = wide.length > 0 ? zip64Extra(wide) : Buffer.alloc(0);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(MADE_BY, 4);
  header.writeUInt16LE(wide.length > 0 ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(data.method, 10);
  header.writeUInt16LE(time.time, 12);
  header.writeUInt16LE(time.date, 14);
  header.writeUInt32LE(data.crc >>> 0, 16);
  header.writeUInt32LE(big(data.compressedSize) ? MAX_32 : data.compressedSize, 20);
  header.writeUInt32LE(big(data.size) ? MAX_32 : data.size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment
  header.writeUInt16LE(0, 34); // disk
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(FILE_ATTRIBUTES, 38);
  header.writeUInt32LE(big(offset) ? MAX_32 : offset, 42);
  return Buffer.concat([header, name, extra]);
}

/** The zip64 extended information extra field: 8 bytes per value. */
function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  return extra;
}

function directoryEnd(entries: number, size: number, offset: number, force: boolean): Buffer {
  const zip64 = force || entries >= MAX_16 || size >= MAX_32 || offset >= MAX_32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? MAX_16 : entries, 8);
  end.writeUInt16LE(zip64 ? MAX_16 : entries, 10);
  end.writeUInt32LE(zip64 ? MAX_32 : size, 12);
  end.writeUInt32LE(zip64 ? MAX_32 : offset, 16);
  if (!zip64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4); // the record's size after this field
  record.writeUInt16LE(MADE_BY, 12);
  record.writeUInt16LE(VERSION_ZIP64, 14);
  record.writeBigUInt64LE(BigInt(entries), 24);
  record.writeBigUInt64LE(BigInt(entries), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + size), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}

type DosDateTime = { date: number; time: number };

/** MS-DOS date and time, in UTC, clamped to 1980–2043 as archiver did. */
export function dosDateTime(at: Date): DosDateTime {
  const year = at.getUTCFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year >= 2044) return { date: (63 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
  };
}
