// manifest.json: every other file of the package, with its size and SHA-256, and the part it
// is in. Every part holds the same manifest, so unzipping all parts into one folder leaves one
// manifest that describes the whole; a file too big for any part is cut into numbered pieces
// (<path>.001, .002 ...) listed under it, to be joined in order.
import { z } from 'zod';

export const MANIFEST_FORMAT = 'matrix-dsar-export/1';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const ManifestChunk = z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: Sha256, part: z.number().int().positive() });

export const ManifestFile = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  sha256: Sha256,
  /** The part holding the file; absent when it was cut into `chunks`. */
  part: z.number().int().positive().optional(),
  chunks: z.array(ManifestChunk).optional(),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  generatedAt: z.string(),
  server: z.string(),
  user: z.string(),
  /** How many zip files the package came in. */
  parts: z.number().int().positive(),
  files: z.array(ManifestFile),
});
export type Manifest = z.infer<typeof Manifest>;

export function manifestJson(manifest: Manifest): string {
  return `${JSON.stringify(Manifest.parse(manifest), null, 1)}\n`;
}
