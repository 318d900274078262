// Pages arrive newest first (the only safe way to page a room, see the homeserver layer); the
// export wants them oldest first. Each page is appended to a scratch file as it comes, and read
// back afterwards from the end to the start. It is written and read in batches of a few dozen
// kilobytes, each ending at a line's end: a string per page would be a large object, which only
// V8's slow full collections free, and a long export makes a thousand of them.
import { type FileHandle, open } from 'node:fs/promises';

/** About 32 KiB of text per batch. */
const BATCH_CHARS = 32 * 1024;

export class ReverseSpool {
  readonly #path: string;
  #file: FileHandle | null = null;
  #size = 0;
  /** [offset, length] of each batch, in the order written (newest events first). */
  readonly #batches: Array<readonly [number, number]> = [];

  constructor(path: string) {
    this.#path = path;
  }

  /** Appends one page of records (newest first), each a line without newlines. */
  async append(records: readonly string[]): Promise<void> {
    if (records.length === 0) return;
    this.#file ??= await open(this.#path, 'wx+', 0o600);
    const buffers: Buffer[] = [];
    for (let i = 0; i < records.length; ) {
      let batch = '';
      while (i < records.length && batch.length < BATCH_CHARS) batch += `${records[i++]}\n`;
      const buffer = Buffer.from(batch, 'utf8');
      buffers.push(buffer);
      this.#batches.push([this.#size, buffer.length]);
      this.#size += buffer.length;
    }
    await this.#file.writev(buffers, this.#batches[this.#batches.length - buffers.length]![0]);
  }

  /** Every record, oldest first. */
  async *oldestFirst(): AsyncGenerator<string> {
    if (this.#file === null) return;
    for (let b = this.#batches.length - 1; b >= 0; b--) {
      const [offset, length] = this.#batches[b]!;
      const buffer = Buffer.allocUnsafe(length);
      await this.#file.read(buffer, 0, length, offset);
      const lines = buffer.toString('utf8', 0, length - 1).split('\n');
      for (let i = lines.length - 1; i >= 0; i--) yield lines[i]!;
    }
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = null;
  }
}
