// Media whose bytes are made when they are downloaded, so that a benchmark can give a user
// gigabytes of uploads without the test homeserver holding them: the same seed always gives
// the same bytes (xorshift32, not compressible, like real photos and videos).
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

export type GeneratedBytes = { length: number; seed: number };

function fill(buffer: Buffer, state: { x: number }): void {
  let x = state.x;
  for (let i = 0; i + 4 <= buffer.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buffer.writeInt32LE(x | 0, i);
  }
  state.x = x;
}

/** The bytes as a stream, one 64 KiB chunk at a time. */
export function generatedStream(spec: GeneratedBytes): Readable {
  const state = { x: spec.seed | 0 || 1 };
  let left = spec.length;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, left));
      fill(chunk, state);
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

/** All the bytes at once: only for small sizes (tests that compare what came back). */
export async function generatedBytes(spec: GeneratedBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of generatedStream(spec)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
