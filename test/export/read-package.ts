// Reads an export package back for tests: every part unzipped, the manifest parsed with its
// schema, and every checksum verified against the bytes that came out of the zips.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { Manifest, type ManifestFile } from '../../src/export/package/manifest.ts';
import { type ExportPackage, packageDir } from '../../src/export/package/package.ts';
import { readZip, type ZipEntries } from '../support/unzip.ts';

export type ReadPackage = {
  manifest: Manifest;
  /** Every file, whole (pieces joined), by path. */
  files: Map<string, Buffer>;
  /** Each part's entries, in order. */
  parts: ZipEntries[];
  json: (path: string) => any;
  text: (path: string) => string;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function readPackageBack(outputDir: string, pkg: ExportPackage): Promise<ReadPackage> {
  return readZipParts(pkg.parts.map((part) => path.join(packageDir(outputDir, pkg.name), part.fileName)));
}

/** The same for zip files anywhere (parts downloaded from the media repository), in part order. */
export async function readZipParts(zipPaths: readonly string[]): Promise<ReadPackage> {
  const parts: ZipEntries[] = [];
  for (const zipPath of zipPaths) parts.push(await readZip(zipPath));
  const manifests = parts.map((p) => p.get('manifest.json')?.toString('utf8'));
  // Every part carries the same manifest.
  expect(new Set(manifests).size).toBe(1);
  const manifest = Manifest.parse(JSON.parse(manifests[0]!));
  expect(manifest.parts).toBe(zipPaths.length);

  const files = new Map<string, Buffer>();
  const listed = new Set<string>(['manifest.json']);
  const take = (name: string, part: number): Buffer => {
    const bytes = parts[part - 1]?.get(name);
    if (bytes === undefined) throw new Error(`${name} is not in part ${part}`);
    listed.add(`${part}:${name}`);
    return bytes;
  };
  const check = (f: { path: string; size: number; sha256: string }, bytes: Buffer) => {
    expect(bytes.length, `size of ${f.path}`).toBe(f.size);
    expect(sha256(bytes), `sha256 of ${f.path}`).toBe(f.sha256);
  };
  for (const f of manifest.files as ManifestFile[]) {
    let bytes: Buffer;
    if (f.chunks) {
      const pieces = f.chunks.map((c) => {
        const piece = take(c.path, c.part);
        check(c, piece);
        return piece;
      });
      bytes = Buffer.concat(pieces);
    } else {
      bytes = take(f.path, f.part!);
    }
    check(f, bytes);
    files.set(f.path, bytes);
  }
  // Nothing in any part that the manifest does not list.
  parts.forEach((entries, i) => {
    for (const name of entries.keys()) if (name !== 'manifest.json') expect(listed.has(`${i + 1}:${name}`), `${name} in part ${i + 1} is listed`).toBe(true);
  });
  const text = (p: string) => {
    const bytes = files.get(p);
    if (bytes === undefined) throw new Error(`no ${p} in the package`);
    return bytes.toString('utf8');
  };
  return { manifest, files, parts, text, json: (p) => JSON.parse(text(p)) };
}

/** Writes the package's files into a folder, as unzipping every part there would; answers index.html's file URL. */
export function unpack(read: ReadPackage, dir: string): string {
  for (const [name, bytes] of read.files) {
    mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    writeFileSync(path.join(dir, name), bytes);
  }
  return `file://${path.join(dir, 'index.html')}`;
}
