// Which file goes into which part, so that every part stays within the server's upload limit
// and is a zip of its own. Pure: sizes are known before anything is zipped (text files carry
// the exact size zlib gives them at the zip's level), and each bound below is generous.
import { chunkPath } from './paths.ts';

export type PlanFile = {
  path: string;
  size: number;
  /** Exact deflated size at the zip's level; null for files stored as they are. */
  deflatedSize: number | null;
};

export type PlannedEntry = {
  /** The entry's name in the zip. */
  name: string;
  /** The package file it comes from, and which bytes of it. */
  source: string;
  offset: number;
  length: number;
  store: boolean;
};

export type PlannedPart = { number: number; entries: PlannedEntry[] };

/** End-of-central-directory records (with zip64's) and some slack. */
export const PART_OVERHEAD = 512;

/** Local header, data descriptor and central directory entry, with zip64 extras, for one entry. */
export function entryBound(name: string, dataBound: number): number {
  return 30 + 20 + 24 + 46 + 32 + 2 * Buffer.byteLength(name) + dataBound;
}

/** Deflate never grows data by more than a few bytes per block; stored data is as it is. */
export function dataBound(file: Pick<PlanFile, 'size' | 'deflatedSize'>): number {
  return file.deflatedSize === null ? file.size : file.deflatedSize + Math.ceil(file.deflatedSize / 1000) + 64;
}

export class PartLimitTooSmall extends Error {
  override name = 'PartLimitTooSmall';
}

/**
 * Fills parts in order. `reserved` is what every part needs besides its files (the manifest).
 * A file that cannot fit in any part is cut into pieces stored as they are.
 */
export function planParts(files: readonly PlanFile[], limit: number, reserved: number): PlannedPart[] {
  const capacity = limit - PART_OVERHEAD - reserved;
  const smallestPiece = 1024;
  if (capacity < entryBound(chunkPath('x'.repeat(60), 999), smallestPiece)) {
    throw new PartLimitTooSmall(`an upload limit of ${limit} bytes cannot hold even the manifest (${reserved} bytes) and a piece of a file`);
  }
  const parts: PlannedPart[] = [{ number: 1, entries: [] }];
  let used = 0;
  const place = (entry: PlannedEntry, bound: number) => {
    if (used + bound > capacity && parts[parts.length - 1]!.entries.length > 0) {
      parts.push({ number: parts.length + 1, entries: [] });
      used = 0;
    }
    parts[parts.length - 1]!.entries.push(entry);
    used += bound;
  };
  for (const file of files) {
    const bound = entryBound(file.path, dataBound(file));
    if (bound <= capacity) {
      place({ name: file.path, source: file.path, offset: 0, length: file.size, store: file.deflatedSize === null }, bound);
      continue;
    }
    const pieceSize = capacity - entryBound(chunkPath(file.path, 999), 0);
    for (let offset = 0, n = 1; offset < file.size; offset += pieceSize, n++) {
      const length = Math.min(pieceSize, file.size - offset);
      place({ name: chunkPath(file.path, n), source: file.path, offset, length, store: true }, entryBound(chunkPath(file.path, n), length));
    }
  }
  return parts;
}
