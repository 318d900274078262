// Every path inside an export is made here, from numbers and a fixed list of extensions:
// never from a room name, a file name someone uploaded, or anything else a person chose.
// So no entry can climb out of the folder it is unzipped into, hide behind a NUL, or be
// too long for a file system.

/** File extensions by content type: only well-known, inert kinds; everything else is .bin. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
  'image/heic': 'heic',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/ogg': 'ogv',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/webm': 'weba',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/json': 'json',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'text/markdown': 'md',
  // Deliberately absent: text/html, image/svg+xml, application/xhtml+xml, text/javascript and the
  // like, which a browser would run when the file is opened: they are kept as .bin.
};

/** The extension for a declared content type ("image/PNG; charset=x" → "png"); "bin" when unknown. */
export function extensionFor(contentType: string | null): string {
  const bare = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return EXTENSIONS[bare] ?? 'bin';
}

const positive = (n: number): number => {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`export paths are numbered from 1, not ${n}`);
  return n;
};

export const INDEX_PATH = 'index.html';
export const MANIFEST_PATH = 'manifest.json';
export const categoryPath = (category: string): string => {
  if (!/^[a-zA-Z]{1,40}$/.test(category)) throw new Error('a category name is letters only');
  return `data/${category}.json`;
};
export const messagesPath = (room: number): string => `data/messages/${positive(room)}.jsonl`;
export const mediaPath = (file: number, contentType: string | null): string => `media/${positive(file)}.${extensionFor(contentType)}`;
/** A room whose messages do not fit in index.html gets pages of its own. */
export const roomPagePath = (room: number, page: number): string => `pages/room-${positive(room)}-${positive(page)}.html`;
/** Where a file too big for one part is cut, its pieces are named after it. */
export const chunkPath = (path: string, chunk: number): string => `${path}.${String(positive(chunk)).padStart(3, '0')}`;

/** What every path in the zip must look like: relative, forward slashes, short, plain characters. */
const SAFE_ENTRY = /^(?:[a-z]+\/){0,2}[a-zA-Z0-9-]{1,48}(?:\.[a-z0-9]{1,8}){1,2}$/;

export function isSafeEntryPath(path: string): boolean {
  return SAFE_ENTRY.test(path) && !path.split('/').some((segment) => segment === '..' || segment === '.');
}
