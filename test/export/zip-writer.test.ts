// The zip writer (src/export/package/zip-writer.ts) against real unzippers: text deflated, media
// stored, a piece cut out of a bigger file, and the zip64 records: Info-ZIP's
// `unzip` tests and extracts every part, yauzl reads it strictly, and every file comes out with
// the size and SHA-256 of what was written.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlannedPart } from '../../src/export/package/parts.ts';
import { type WrittenFile, writeWholeFile } from '../../src/export/package/spooled-file.ts';
import { writePart } from '../../src/export/package/zip-writer.ts';
import { readZip } from '../support/unzip.ts';

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder of package files as an export writes them, and the part that holds them (with one piece of the big file). */
async function written() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsar-zip-writer-'));
  scratch.push(dir);
  fs.mkdirSync(path.join(dir, 'media'));
  const contents = new Map<string, Buffer>([
    ['index.html', Buffer.from(`<!doctype html><p>${'Grüße, café & naïve text, '.repeat(4000)}</p>\n`)],
    ['data.json', Buffer.from(JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ i, note: `row ${i}` })) }))],
    ['empty.json', Buffer.alloc(0)],
    ['media/1.mp4', randomBytes(300_000)],
    ['media/2.bin', randomBytes(100_000)],
  ]);
  const files = new Map<string, WrittenFile>();
  for (const [name, bytes] of contents) {
    files.set(name, await writeWholeFile(path.join(dir, name), bytes, { compressed: !name.startsWith('media/') && bytes.length > 0 }));
  }
  const whole = (name: string) => ({ name, source: name, offset: 0, length: contents.get(name)!.length, store: files.get(name)!.deflatedSize === null });
  const part: PlannedPart = {
    number: 1,
    entries: [
      whole('index.html'),
      whole('data.json'),
      whole('empty.json'),
      whole('media/1.mp4'),
      { name: 'media/2.bin.002', source: 'media/2.bin', offset: 40_000, length: 30_000, store: true },
    ],
  };
  const expected = new Map([
    ...[...contents].filter(([name]) => name !== 'media/2.bin'),
    ['media/2.bin.002', contents.get('media/2.bin')!.subarray(40_000, 70_000)],
  ]);
  expected.set('manifest.json', Buffer.from('{"format":"matrix-dsar-export/1"}'));
  return { dir, files, part, expected };
}

describe('writePart', () => {
  for (const forceZip64 of [false, true]) {
    it(`writes a zip${forceZip64 ? ' with zip64 records' : ''} that unzip tests and extracts, and yauzl reads, with every file as written`, async () => {
      const { dir, files, part, expected } = await written();
      const zipPath = path.join(dir, 'part.zip');
      const result = await writePart(part, zipPath, {
        fileOf: (p) => files.get(p)!,
        manifest: expected.get('manifest.json')!,
        date: new Date('2026-03-04T05:06:08Z'),
        forceZip64,
      });
      const zip = fs.readFileSync(zipPath);
      expect(result.size).toBe(zip.length);
      expect(result.sha256).toBe(sha256(zip));

      const entries = await readZip(zipPath);
      expect([...entries.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [name, bytes] of expected) expect(sha256(entries.get(name)!), name).toBe(sha256(bytes));

      if (hasUnzip) {
        const tested = spawnSync('unzip', ['-t', zipPath], { encoding: 'utf8' });
        expect(tested.status, tested.stdout + tested.stderr).toBe(0);
        const out = path.join(dir, 'out');
        const extracted = spawnSync('unzip', ['-q', zipPath, '-d', out], { encoding: 'utf8' });
        expect(extracted.status, extracted.stderr).toBe(0);
        for (const [name, bytes] of expected) expect(sha256(fs.readFileSync(path.join(out, name))), name).toBe(sha256(bytes));
        // The entries' date, as unzip lists it (UTC, to the two seconds the format holds).
        expect(spawnSync('unzip', ['-Z', '-T', zipPath], { encoding: 'utf8' }).stdout).toContain('20260304.050608');
      }
      // Text went in deflated (smaller than it is), media as it is.
      expect(zip.length).toBeLessThan([...expected.values()].reduce((sum, b) => sum + b.length, 0));
    });
  }

  it('stops between entries when aborted, and throws', async () => {
    const { dir, files, part } = await written();
    const aborted = AbortSignal.abort(new Error('stopped by the bot'));
    await expect(
      writePart(part, path.join(dir, 'part.zip'), { fileOf: (p) => files.get(p)!, manifest: Buffer.from('{}'), date: new Date() }, aborted),
    ).rejects.toThrow('stopped by the bot');
  });
});
