// Where a package lives and how it becomes visible: everything is made in
// <outputDir>/<name>.partial and renamed to <outputDir>/<name> in one step when complete, so a
// crash or a restart never leaves two packages, nor half of one that looks whole.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MANIFEST_FORMAT } from './manifest.ts';

/** Package names come from the caller (a request ID): plain characters only, never a path. */
export const PackageName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);

export const PACKAGE_FILE = 'package.json';
const PARTIAL = '.partial';

/** What the bot keeps next to the parts: enough to deliver them and to say what is in them. */
export const ExportPackage = z.object({
  format: z.literal(MANIFEST_FORMAT),
  name: PackageName,
  user: z.string(),
  generatedAt: z.string(),
  parts: z.array(
    z.object({
      number: z.number().int().positive(),
      /** The file name in the package folder, also the name the user sees. */
      fileName: z.string().regex(/^[A-Za-z0-9._-]+\.zip$/),
      size: z.number().int().positive(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
  totalSize: z.number().int().nonnegative(),
  counts: z.object({
    rooms: z.number().int(),
    events: z.number().int(),
    messages: z.number().int(),
    mediaFiles: z.number().int(),
    mediaBytes: z.number().int(),
    mediaUnavailable: z.number().int(),
  }),
});
export type ExportPackage = z.infer<typeof ExportPackage>;

export const packageDir = (outputDir: string, name: string): string => path.join(outputDir, PackageName.parse(name));
export const workDir = (outputDir: string, name: string): string => packageDir(outputDir, name) + PARTIAL;
export const partPath = (outputDir: string, pkg: ExportPackage, part: ExportPackage['parts'][number]): string =>
  path.join(packageDir(outputDir, pkg.name), part.fileName);

/** The finished package of that name, or null when there is none (yet). */
export async function readPackage(outputDir: string, name: string): Promise<ExportPackage | null> {
  let text: string;
  try {
    text = await readFile(path.join(packageDir(outputDir, name), PACKAGE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return ExportPackage.parse(JSON.parse(text));
}

/** Deletes a package and anything left of its making (at expiry, or when the request is withdrawn). */
export async function removePackage(outputDir: string, name: string): Promise<void> {
  await rm(workDir(outputDir, name), { recursive: true, force: true });
  await rm(packageDir(outputDir, name), { recursive: true, force: true });
}

/** At start-up: removes the leftovers of packages whose making was interrupted, except those still being made. */
export async function removeStalePartials(outputDir: string, active: ReadonlySet<string> = new Set()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const stale = names.filter(
    (n) => n.endsWith(PARTIAL) && PackageName.safeParse(n.slice(0, -PARTIAL.length)).success && !active.has(n.slice(0, -PARTIAL.length)),
  );
  for (const n of stale) await rm(path.join(outputDir, n), { recursive: true, force: true });
  return stale.map((n) => n.slice(0, -PARTIAL.length));
}

/** SHA-256 of a byte range of a file (pieces of a file cut across parts). */
export async function hashRange(diskPath: string, offset: number, length: number): Promise<string> {
  const hash = createHash('sha256');
  if (length > 0) for await (const chunk of createReadStream(diskPath, { start: offset, end: offset + length - 1 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
