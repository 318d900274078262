// A file being written to the export's work folder, with its size and SHA-256 counted as the
// bytes go by, and (for text, which the zip compresses) how big it will be once deflated at the
// zip's own level, so that parts are planned from exact sizes without reading anything twice.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createDeflateRaw, type DeflateRaw } from 'node:zlib';

/** The zip's compression level (zlib's default); the count below uses the same one. */
export const ZIP_LEVEL = 6;

/** Text is written in blocks of about this many characters. */
const BLOCK_CHARS = 64 * 1024;

export type WrittenFile = {
  diskPath: string;
  size: number;
  sha256: string;
  /** Exact size once deflated at ZIP_LEVEL; null for files stored as they are (media). */
  deflatedSize: number | null;
};

export class SpooledFile {
  readonly diskPath: string;
  readonly #out: WriteStream;
  readonly #hash = createHash('sha256');
  readonly #deflate: DeflateRaw | null;
  #deflated = 0;
  #size = 0;
  #pending: string[] = [];
  #pendingChars = 0;

  constructor(diskPath: string, options: { compressed: boolean }) {
    this.diskPath = diskPath;
    this.#out = createWriteStream(diskPath, { flags: 'wx', mode: 0o600 });
    this.#out.on('error', () => {}); // surfaced by write()/close()
    this.#deflate = options.compressed ? createDeflateRaw({ level: ZIP_LEVEL }) : null;
    // Only counted: the zip deflates the file again as it writes it.
    this.#deflate?.on('data', (chunk: Buffer) => (this.#deflated += chunk.length));
  }

  /** Bytes written so far (text still gathered into a block counts by its characters). */
  get size(): number {
    return this.#size + this.#pendingChars;
  }

  /**
   * Writes a chunk, waiting while the disk is behind (so nothing piles up in memory). Text is
   * gathered into blocks of about 64 KiB first: a line at a time would cost a disk write and a
   * compression job per line.
   */
  async write(chunk: Buffer | string): Promise<void> {
    if (typeof chunk === 'string') {
      if (chunk.length === 0) return;
      this.#pending.push(chunk);
      this.#pendingChars += chunk.length;
      if (this.#pendingChars >= BLOCK_CHARS) await this.#flush();
      return;
    }
    await this.#flush();
    await this.#writeBuffer(chunk);
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingChars = 0;
    await this.#writeBuffer(Buffer.from(text, 'utf8'));
  }

  async #writeBuffer(buffer: Buffer): Promise<void> {
    if (buffer.length === 0) return;
    this.#size += buffer.length;
    this.#hash.update(buffer);
    // Both waits are set up before either is awaited, so that no 'drain' goes unheard.
    const waits: Promise<unknown>[] = [];
    if (this.#deflate !== null && !this.#deflate.write(buffer)) waits.push(once(this.#deflate, 'drain'));
    if (!this.#out.write(buffer)) waits.push(drainOrError(this.#out));
    await Promise.all(waits);
  }

  async close(): Promise<WrittenFile> {
    await this.#flush();
    if (this.#deflate !== null) {
      const ended = once(this.#deflate, 'end');
      this.#deflate.end();
      this.#deflate.resume();
      await ended;
    }
    this.#out.end();
    await closedOrError(this.#out);
    return { diskPath: this.diskPath, size: this.#size, sha256: this.#hash.digest('hex'), deflatedSize: this.#deflate === null ? null : this.#deflated };
  }

  /** Gives up on the file (an error or a cancelled export); the work folder is removed later. */
  abandon(): void {
    this.#deflate?.destroy();
    this.#out.destroy();
  }
}

/** Resolves when the file is written and closed; rejects with its error. */
async function closedOrError(stream: WriteStream): Promise<void> {
  if (stream.closed) {
    if (stream.errored) throw stream.errored;
    return;
  }
  await new Promise<void>((resolve, reject) => {
    stream.once('close', () => (stream.errored ? reject(stream.errored) : resolve()));
  });
}

async function drainOrError(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Writes a whole small file (category data, the manifest) at once. */
export async function writeWholeFile(diskPath: string, content: string | Buffer, options: { compressed: boolean }): Promise<WrittenFile> {
  const file = new SpooledFile(diskPath, options);
  try {
    await file.write(content);
    return await file.close();
  } catch (error) {
    file.abandon();
    throw error;
  }
}
