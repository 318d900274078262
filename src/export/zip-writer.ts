// Writes planned parts as zip files with archiver, streaming every file from the work folder
// (one open file at a time), and hashes each part as it goes to disk.
import { ZipArchive } from 'archiver';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_PATH } from './paths.ts';
import type { PlannedPart } from './parts.ts';
import { ZIP_LEVEL } from './spooled-file.ts';

export type WrittenPart = { number: number; diskPath: string; size: number; sha256: string };

export type PartSource = {
  /** The file on disk behind a package path. */
  diskPathOf: (path: string) => string;
  manifest: Buffer;
  /** Every entry gets this date, so that the same data makes the same zip. */
  date: Date;
};

export async function writePart(part: PlannedPart, diskPath: string, source: PartSource, signal?: AbortSignal): Promise<WrittenPart> {
  const archive = new ZipArchive({ zlib: { level: ZIP_LEVEL } });
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
    const append = async (content: Buffer | NodeJS.ReadableStream, name: string, store: boolean) => {
      const done = once(archive, 'entry', signal ? { signal } : {});
      archive.append(content as Buffer, { name, date: source.date, store });
      await done;
    };
    await append(source.manifest, MANIFEST_PATH, false);
    for (const entry of part.entries) {
      const content = entry.length === 0 ? Buffer.alloc(0) : createReadStream(source.diskPathOf(entry.source), { start: entry.offset, end: entry.offset + entry.length - 1 });
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
