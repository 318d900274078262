// The end of an export: when its download window closes (or its request is cancelled, fails,
// or its person is erased), every upload is deleted from the media repository and the local
// package from the data folder, and only the dates stay. A part uploaded just before a crash,
// before its upload could be recorded, is found by the name it was uploaded under.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Homeserver } from '../../homeserver/homeserver.ts';
import { PackageName } from '../package/package.ts';
import type { PackagePart } from './delivery.ts';
import { expireExport } from './delivery.ts';
import type { ExportStore } from './export-store.ts';

export type ExpiryDependencies = {
  store: ExportStore;
  homeserver: Homeserver;
  /** <dataDir>/exports */
  outputDir: string;
  /** The uploader: its uploads are searched for parts whose upload was never recorded. */
  botUserId: string;
  now: () => number;
  log: (line: string) => void;
  /** Notes an export's end in its request's audit trail. */
  audit?: (requestId: string, action: string, detail: Record<string, unknown>) => void;
};

/** Where a package's folders live under the data folder. */
export const exportsDir = (dataDir: string): string => path.join(dataDir, 'exports');

/** What a part is uploaded as: the request ID first, so that an unrecorded upload can still be found. */
export const uploadNameFor =
  (requestId: string) =>
  (part: Pick<PackagePart, 'fileName'>): string =>
    `${requestId}-${part.fileName}`;

/** The bot's uploads by name, read once per pass and only when something is due. */
type BotUploads = () => Promise<Array<{ mxc: string; uploadName: string | null }>>;

function botUploadsOnce(deps: ExpiryDependencies): BotUploads {
  let listed: Promise<Array<{ mxc: string; uploadName: string | null }>> | null = null;
  return () =>
    (listed ??= (async () => {
      const out: Array<{ mxc: string; uploadName: string | null }> = [];
      for await (const page of deps.homeserver.uploadedMedia(deps.botUserId))
        for (const m of page) out.push({ mxc: m.value.mxc, uploadName: m.value.uploadName });
      return out;
    })());
}

async function expire(deps: ExpiryDependencies, requestId: string, botUploads: BotUploads): Promise<number> {
  const recorded = deps.store.uploads(requestId).map((u) => u.uri);
  let unrecorded: string[] = [];
  try {
    const prefix = uploadNameFor(requestId)({ fileName: '' });
    unrecorded = (await botUploads()).filter((u) => u.uploadName?.startsWith(prefix) && !recorded.includes(u.mxc)).map((u) => u.mxc);
  } catch {
    deps.log(`export ${requestId}: could not list the bot's uploads to find unrecorded parts; deleting the recorded ones`);
  }
  const results = await expireExport(deps.homeserver, [...recorded, ...unrecorded], deps.outputDir, requestId);
  deps.store.markExpired(requestId, deps.now());
  deps.audit?.(requestId, 'export-deleted', { uploads: results.length });
  return results.length;
}

/** Every export whose window has ended: uploads and files deleted. Safe to run again after a crash. */
export async function expireDueExports(deps: ExpiryDependencies): Promise<number> {
  const due = deps.store.due(deps.now());
  const botUploads = botUploadsOnce(deps);
  for (const record of due) {
    const uploads = await expire(deps, record.requestId, botUploads);
    deps.log(`export ${record.requestId}: download window ended; ${uploads} upload(s) and the local files deleted`);
  }
  await removeLeftovers(deps);
  return due.length;
}

/** Ends one export now (its request was cancelled or failed): nothing of it remains. */
export async function discardExport(deps: ExpiryDependencies, requestId: string): Promise<void> {
  deps.store.expireNow(requestId, deps.now());
  await expire(deps, requestId, botUploadsOnce(deps));
}

/**
 * After an erasure: every export of that person, delivered or not, deleted at once. `userIds`:
 * the Matrix ID, and the pseudonym that replaces it once the requests are forgotten. A running
 * export notices its request was cancelled and discards what it made.
 */
export async function deleteExportsOf(deps: ExpiryDependencies, userIds: readonly string[]): Promise<number> {
  const requests = deps.store.requestsOf(userIds);
  const botUploads = botUploadsOnce(deps);
  for (const requestId of requests) {
    deps.store.expireNow(requestId, deps.now());
    await expire(deps, requestId, botUploads);
  }
  return requests.length;
}

/** Package folders (and half-made ones) that belong to no live export: a crash or a cancellation left them. */
async function removeLeftovers(deps: ExpiryDependencies): Promise<void> {
  let names: string[];
  try {
    names = await readdir(deps.outputDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  // Read after the folder listing: a package made since is either in the list or not in the folder.
  const live = new Set(deps.store.live());
  for (const name of names) {
    const request = name.replace(/\.partial$/, '');
    if (!PackageName.safeParse(request).success || live.has(request)) continue;
    await rm(path.join(deps.outputDir, name), { recursive: true, force: true });
    deps.log(`export ${request}: removed files no live export needs`);
  }
}
