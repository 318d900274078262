// Writes a planned part as a zip file with archiver (the operator's choice of zip library),
// streaming every file from the work folder, one open file at a time, and hashing the part as it
// goes to disk. Text is deflated at the zip's level (its exact size was counted as it was spooled,
// so parts are planned without reading anything twice); media and pieces of big files are stored
// as they are: they are already compressed, or random, and deflating them again only costs time.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { PlannedPart } from './parts.ts';
import { MANIFEST_PATH } from './paths.ts';
import { type WrittenFile, ZIP_LEVEL } from './spooled-file.ts';

/** Files are read in chunks of this size: fewer, larger chunks through the zip's streams cost less time. */
const READ_CHUNK = 1024 * 1024;

export type WrittenPart = { number: number; diskPath: string; size: number; sha256: string };

export type PartSource = {
  /** The file written for a package path. */
  fileOf: (path: string) => WrittenFile;
  manifest: Buffer;
  /** Every entry gets this date, so that the same data makes the same zip. */
  date: Date;
  /** Zip64 records for every entry, needed or not (tests of the records readers must accept). */
  forceZip64?: boolean;
};

export async function writePart(part: PlannedPart, diskPath: string, source: PartSource, signal?: AbortSignal): Promise<WrittenPart> {
  const archive = new ZipArchive({ zlib: { level: ZIP_LEVEL }, forceZip64: source.forceZip64 === true });
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const written = pipeline(archive, counter, createWriteStream(diskPath, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {});
  try {
    const append = async (content: Buffer | Readable, name: string, store: boolean) => {
      signal?.throwIfAborted();
      const done = once(archive, 'entry', signal ? { signal } : {});
      archive.append(content, { name, date: source.date, store });
      await done;
    };
    await append(source.manifest, MANIFEST_PATH, false);
    for (const entry of part.entries) {
      const file = source.fileOf(entry.source);
      const content =
        entry.length === 0
          ? Buffer.alloc(0)
          : createReadStream(file.diskPath, { start: entry.offset, end: entry.offset + entry.length - 1, highWaterMark: READ_CHUNK });
      await append(content, entry.name, entry.store);
    }
    await archive.finalize();
    await written;
  } catch (error) {
    archive.abort();
    await written.catch(() => {});
    throw error;
  }
  return { number: part.number, diskPath, size, sha256: hash.digest('hex') };
}
