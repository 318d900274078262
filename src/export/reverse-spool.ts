// Pages arrive newest first (the only safe way to page a room, see the homeserver layer); the
// export wants them oldest first. Each page is appended to a scratch file as it comes, and
// read back afterwards from the last page to the first, one page in memory at a time.
import { open, type FileHandle } from 'node:fs/promises';

export class ReverseSpool {
  readonly #path: string;
  #file: FileHandle | null = null;
  #size = 0;
  /** [offset, length] of each page, in arrival order. */
  readonly #pages: Array<readonly [number, number]> = [];

  constructor(path: string) {
    this.#path = path;
  }

  /** Appends one page of records (newest first), each a line without newlines. */
  async append(records: readonly string[]): Promise<void> {
    if (records.length === 0) return;
    this.#file ??= await open(this.#path, 'wx+', 0o600);
    const bytes = Buffer.from(records.join('\n') + '\n', 'utf8');
    await this.#file.write(bytes, 0, bytes.length, this.#size);
    this.#pages.push([this.#size, bytes.length]);
    this.#size += bytes.length;
  }

  /** Every record, oldest first. */
  async *oldestFirst(): AsyncGenerator<string> {
    if (this.#file === null) return;
    for (let p = this.#pages.length - 1; p >= 0; p--) {
      const [offset, length] = this.#pages[p]!;
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
