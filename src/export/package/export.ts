// !export's data half: everything the homeserver holds about one user, written as a package of
// zip parts in a folder of its own. A function of the homeserver, the user, the configuration
// (for the policy), an output folder, a progress callback and an abort signal; the request and
// job lifecycle around it (queueing, retries, delivery, expiry) belongs to its caller.
//
// The walk: the account's small records first (concurrently), the list of uploads (so that
// messages can link to them), then rooms a few at a time while uploads download alongside;
// each room is paged newest first into a scratch file and rewritten oldest first. Then the
// category files, the pages and index.html, the plan of parts, and the zips. Nothing is held
// whole in memory: pages, files and zip entries all stream through the work folder.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BotConfig } from '../../config/load.ts';
import { isHomeserverError } from '../../homeserver/errors.ts';
import type { Homeserver } from '../../homeserver/homeserver.ts';
import { categoryFiles } from './category-data.ts';
import type { Collected, ExportedRoom } from './collected.ts';
import { layoutRooms, writeIndex, writeRoomPage } from './index-page.ts';
import { MANIFEST_FORMAT, type Manifest, type ManifestFile, manifestJson } from './manifest.ts';
import { downloadMediaEntry, listMedia } from './media-files.ts';
import { membershipHistory, needsCurrentMemberEvent } from './membership-history.ts';
import { ExportPackage, hashRange, PACKAGE_FILE, packageDir, readPackage, workDir } from './package.ts';
import { entryBound, type PlanFile, type PlannedPart, planParts } from './parts.ts';
import { INDEX_PATH, MANIFEST_PATH, messagesPath } from './paths.ts';
import { forEachConcurrently } from './pool.ts';
import { ExportError, type ExportProgress } from './progress.ts';
import { type RoomJob, walkRoom, writeRoom } from './room-messages.ts';
import { SpooledFile, type WrittenFile, writeWholeFile } from './spooled-file.ts';
import { type WrittenPart, writePart } from './zip-writer.ts';

export type ExportOptions = {
  /** Rooms read at once (a real homeserver is the bottleneck; a few at a time helps a little). */
  roomsAtOnce: number;
  /** Uploads downloaded at once, alongside the rooms. */
  downloadsAtOnce: number;
  /** A room's messages are cut into HTML pieces of about this size. */
  htmlChunkBytes: number;
  /** index.html carries rooms' messages up to this much; longer rooms get pages of their own. */
  inlineHtmlBytes: number;
  /** The server's other rooms asked about at most (the probe for forgotten rooms); the package says how many were left unasked. */
  probeLimit: number;
};

export const DEFAULT_EXPORT_OPTIONS: ExportOptions = {
  roomsAtOnce: 4,
  downloadsAtOnce: 2,
  htmlChunkBytes: 4 * 1024 * 1024,
  inlineHtmlBytes: 8 * 1024 * 1024,
  probeLimit: 20_000,
};

/** The largest part when the server does not say (Synapse's default max_upload_size). */
export const DEFAULT_PART_LIMIT = 50 * 1024 * 1024;

export type ExportRequest = {
  homeserver: Homeserver;
  userId: string;
  config: BotConfig;
  /** e.g. <dataDir>/exports: the package goes into <outputDir>/<name>/. */
  outputDir: string;
  /** The package's name: plain characters, e.g. the request ID. */
  name: string;
  /** The largest part in bytes; by default what the server accepts as an upload. */
  partLimit?: number;
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
  options?: Partial<ExportOptions>;
  now?: () => number;
};

/** Makes the package, or returns the one already made under that name (a job restarted after it finished). */
export async function exportUserData(request: ExportRequest): Promise<ExportPackage> {
  const existing = await readPackage(request.outputDir, request.name);
  const work = workDir(request.outputDir, request.name);
  await rm(work, { recursive: true, force: true });
  if (existing !== null) return existing;

  // One failure (or the caller's abort) stops every walk that is still going.
  const stop = new AbortController();
  const onAbort = () => stop.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await mkdir(work, { recursive: true, mode: 0o700 });
    const pkg = await build(request, work, stop);
    await rename(path.join(work, 'out'), packageDir(request.outputDir, request.name));
    await rm(work, { recursive: true, force: true });
    return pkg;
  } catch (error) {
    stop.abort(error);
    await rm(work, { recursive: true, force: true });
    throw error;
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
}

async function build(request: ExportRequest, work: string, stop: AbortController): Promise<ExportPackage> {
  const { homeserver: hs, userId } = request;
  const options = { ...DEFAULT_EXPORT_OPTIONS, ...request.options };
  const signal = stop.signal;
  const now = request.now ?? Date.now;
  const generatedAt = now();
  const files = path.join(work, 'files');
  const scratch = path.join(work, 'scratch');
  for (const dir of [scratch, path.join(work, 'out'), path.join(files, 'data', 'messages'), path.join(files, 'media'), path.join(files, 'pages')]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }

  const progress: ExportProgress = {
    phase: 'account',
    probe: { done: 0, total: 0 },
    rooms: { done: 0, total: 0 },
    events: 0,
    media: { done: 0, total: 0, bytes: 0 },
    parts: { done: 0, total: 0 },
  };
  const report = () => request.onProgress?.(structuredClone(progress));
  report();

  const account = await hs.getStoredAccount(userId);
  if (account === null) throw new ExportError('no-such-user', `The homeserver has no user ${userId}.`);
  // The uploads are listed (and then downloaded) while the account's records are read.
  const listed = listMedia(hs, userId, account.value.avatarUrl);
  listed.catch(() => {}); // awaited below, unless a record fails first
  // The devices first: reading as the user (login-as) shows up as a device on some servers
  // (Tuwunel's "Admin login"), which must not land in the user's export. The account's other
  // records are not needed before the rooms: they are read alongside, as is the key backup
  // (read as the user on most servers).
  const devices = await hs.getStoredDevices(userId);
  const recordsRead = Promise.all([
    hs.getStoredSessions(userId),
    hs.getStoredAccountData(userId),
    hs.getStoredPushers(userId),
    hs.getStoredEncryptionKeys(userId),
    request.partLimit ?? hs.getUploadLimit().then((limit) => limit ?? DEFAULT_PART_LIMIT),
  ]);
  recordsRead.catch(() => {}); // settled with the walks below, unless the memberships fail first
  const keyBackupRead = hs.getKeyBackup(userId);
  keyBackupRead.catch(() => {}); // settled with the walks below, unless the memberships fail first
  const [memberships, media, profileFields] = await Promise.all([hs.getMemberships(userId), listed, hs.getProfileFields(userId)]);
  signal.throwIfAborted();
  const named = memberships.available ? memberships.value : memberships.joined;
  // Rooms no list names (forgotten, or nobody here is in them any more): the server's other rooms, asked about, within a bound.
  progress.phase = 'probe';
  report();
  const probe = await hs
    .probeRooms(userId, new Set(named.map((m) => m.roomId)), {
      limit: options.probeLimit,
      signal,
      onProgress: (done, total) => {
        progress.probe = { done, total };
        report();
      },
    })
    .catch((error: unknown) => {
      // A server that cannot list its rooms: the package says the others were not looked through.
      if (!isHomeserverError(error, 'unsupported')) throw error;
      return {
        found: [],
        unchecked: [{ roomId: '*', reason: 'this server cannot list its rooms, so rooms you forgot could not be looked for' }],
        listed: 0,
        checked: 0,
        truncated: false,
      };
    });
  const roomList = [...named, ...probe.found];
  // Read as the user too, alongside the rooms.
  const roomTagsRead = hs.getRoomTags(
    userId,
    roomList.map((m) => m.roomId),
  );
  roomTagsRead.catch(() => {}); // settled with the walks below
  const links = new Map(media.filter((m) => m.origin === 'upload' && !m.media.quarantined).map((m) => [m.media.mxc, m.path]));

  progress.phase = 'rooms';
  progress.rooms.total = roomList.length;
  progress.media.total = media.length;
  report();

  const rooms: ExportedRoom[] = [];
  const downloads = forEachConcurrently(media, options.downloadsAtOnce, async (entry) => {
    await downloadMediaEntry(entry, {
      homeserver: hs,
      filesDir: files,
      signal,
      onBytes: (bytes) => {
        progress.media.bytes += bytes;
      },
    });
    progress.media.done++;
    report();
  });
  // A room is read (the part that waits on the server) a few at a time; its files are written
  // while the next room is read, as many at once as rooms are read (a fast server is not let to
  // pile up writes, and their memory).
  const writes = new Set<Promise<void>>();
  const unfinished = new Set<Promise<void>>();
  const walks = forEachConcurrently(roomList.entries(), options.roomsAtOnce, async ([index, membership]) => {
    signal.throwIfAborted();
    const job: RoomJob = {
      homeserver: hs,
      userId,
      number: index + 1,
      roomId: membership.roomId,
      membership: membership.membership,
      scratchDir: scratch,
      filesDir: files,
      media: (mxc) => links.get(mxc),
      htmlChunkBytes: options.htmlChunkBytes,
      signal,
      onEvents: (count) => {
        progress.events += count;
        report();
      },
    };
    const walked = await walkRoom(job);
    const writing = (async () => {
      const current = needsCurrentMemberEvent(membership.membership, walked.ownMembershipEvents) ? hs.getMemberEvent(membership.roomId, userId) : null;
      current?.catch(() => {}); // awaited below, unless writing fails first
      // The other servers in the room (GDPR Art. 19), read while the room is written.
      const servers = hs.roomServers(membership.roomId, userId);
      servers.catch(() => {}); // awaited below, unless writing fails first
      const messages = await writeRoom(job, walked);
      rooms[index] = {
        ...messages,
        membership: membership.membership,
        membershipHistory: membershipHistory(messages.ownMembershipEvents, await current),
        servers: await servers,
      };
      progress.rooms.done++;
      report();
    })();
    const tracked = writing.catch((error: unknown) => {
      stop.abort(error);
      throw error;
    });
    writes.add(tracked);
    tracked.catch(() => {}); // settled below
    const settled: Promise<void> = tracked.then(
      () => void unfinished.delete(settled),
      () => void unfinished.delete(settled),
    );
    unfinished.add(settled);
    if (unfinished.size >= options.roomsAtOnce) await Promise.race(unfinished);
  });
  try {
    // A failure of any (the key backup's too) stops the others.
    await settleAll([downloads, walks, recordsRead.then(() => {}), keyBackupRead.then(() => {}), roomTagsRead.then(() => {})], stop);
  } finally {
    // Nothing is left writing into the work folder, whatever happened.
    await Promise.allSettled(writes);
  }
  await settleAll([...writes], stop);
  const [sessions, accountData, pushers, keys, partLimit] = await recordsRead;
  const keyBackup = await keyBackupRead;
  const roomTags = await roomTagsRead;

  const collected: Collected = {
    userId,
    serverName: userId.slice(userId.indexOf(':') + 1),
    generatedAt,
    account,
    memberships,
    devices,
    sessions,
    accountData,
    pushers,
    keys,
    keyBackup,
    rooms,
    media,
    roomTags,
    profileFields,
    roomsNotChecked: { rooms: probe.unchecked, notAskedAbout: probe.truncated ? roomsToProbeCount(probe) : 0 },
  };

  progress.phase = 'writing';
  report();
  const written = await writePackageFiles(collected, request.config, files, options);
  signal.throwIfAborted();
  const parts = await zipParts(collected, written, path.join(work, 'out'), partLimit, signal, (done, total) => {
    progress.parts = { done, total };
    report();
  });

  const pkg: ExportPackage = ExportPackage.parse({
    format: MANIFEST_FORMAT,
    name: request.name,
    user: userId,
    generatedAt: new Date(generatedAt).toISOString(),
    parts: parts.map((p) => ({ number: p.number, fileName: path.basename(p.diskPath), size: p.size, sha256: p.sha256 })),
    totalSize: parts.reduce((sum, p) => sum + p.size, 0),
    counts: countsOf(collected),
  });
  await writeFile(path.join(work, 'out', PACKAGE_FILE), `${JSON.stringify(pkg, null, 2)}\n`, { mode: 0o600 });
  progress.phase = 'done';
  report();
  return pkg;
}

/** How many rooms the bounded probe left unasked. */
const roomsToProbeCount = (probe: { listed: number; checked: number }): number => Math.max(0, probe.listed - probe.checked);

/** Waits for every task; on the first failure, stops the others and throws it once they have ended. */
async function settleAll(tasks: Promise<void>[], stop: AbortController): Promise<void> {
  const guarded = tasks.map((t) =>
    t.catch((error: unknown) => {
      stop.abort(error);
      throw error;
    }),
  );
  const results = await Promise.allSettled(guarded);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw stop.signal.reason ?? failed.reason;
}

function countsOf(c: Collected): ExportPackage['counts'] {
  const included = c.media.filter((m) => m.file !== null);
  return {
    rooms: c.rooms.length,
    events: c.rooms.reduce((sum, r) => sum + r.events, 0),
    messages: c.rooms.reduce((sum, r) => sum + r.messages, 0),
    mediaFiles: included.length,
    mediaBytes: included.reduce((sum, m) => sum + (m.file?.size ?? 0), 0),
    mediaUnavailable: c.media.filter((m) => m.unavailable !== null).length,
  };
}

/** A file of the package: where it is in the zip and on disk. */
type PackageFile = { path: string; written: WrittenFile };

/** data/<category>.json, the room pages and index.html; with the rooms' and media files, the package's content. */
async function writePackageFiles(c: Collected, config: BotConfig, filesDir: string, options: ExportOptions): Promise<PackageFile[]> {
  const layout = layoutRooms(c.rooms, options.inlineHtmlBytes);
  const roomPages = new Map([...layout].map(([n, place]) => [n, place.pages]));
  const categories = categoryFiles(c, config.policy, roomPages);
  const out: PackageFile[] = [];

  const index = new SpooledFile(path.join(filesDir, INDEX_PATH), { compressed: true });
  try {
    await writeIndex(index, { collected: c, config, layout, categoryData: new Map(categories.map((f) => [f.id, f.data])) });
    out.push({ path: INDEX_PATH, written: await index.close() });
  } catch (error) {
    index.abandon();
    throw error;
  }
  for (const file of categories) out.push({ path: file.path, written: await writeWholeFile(path.join(filesDir, file.path), file.json, { compressed: true }) });
  for (const room of c.rooms) out.push({ path: messagesPath(room.number), written: room.jsonl });
  for (const room of c.rooms) {
    const pages = layout.get(room.number)?.pages ?? [];
    for (const [i, pagePath] of pages.entries()) {
      const page = new SpooledFile(path.join(filesDir, pagePath), { compressed: true });
      try {
        await writeRoomPage(page, room, i + 1, pages.length, room.htmlChunks[i]!);
        out.push({ path: pagePath, written: await page.close() });
      } catch (error) {
        page.abandon();
        throw error;
      }
    }
  }
  for (const entry of c.media) if (entry.file !== null) out.push({ path: entry.path, written: entry.file });
  return out;
}

async function zipParts(
  c: Collected,
  files: PackageFile[],
  outDir: string,
  limit: number,
  signal: AbortSignal,
  onPart: (done: number, total: number) => void,
): Promise<WrittenPart[]> {
  const planFiles: PlanFile[] = files.map((f) => ({ path: f.path, size: f.written.size, deflatedSize: f.written.deflatedSize }));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const manifestFor = async (parts: PlannedPart[] | null): Promise<Manifest> => ({
    format: MANIFEST_FORMAT,
    generatedAt: new Date(c.generatedAt).toISOString(),
    server: c.serverName,
    user: c.userId,
    parts: parts?.length ?? 99_999,
    files: await manifestFiles(files, parts, byPath),
  });

  // The manifest's size depends on the plan, the plan on the manifest's size: a bound made with
  // the largest part numbers settles it in a step or two.
  let plan: PlannedPart[] = [];
  let reserved = 0;
  for (let round = 0; round < 4; round++) {
    const bound = Buffer.byteLength(manifestJson(await manifestFor(round === 0 ? null : placeholderParts(plan))));
    const needed = entryBound(MANIFEST_PATH, bound + Math.ceil(bound / 100) + 64);
    if (needed <= reserved) break;
    reserved = needed;
    plan = planParts(planFiles, limit, reserved);
  }
  const manifest = Buffer.from(manifestJson(await manifestFor(plan)));
  const base = `matrix-data-${new Date(c.generatedAt).toISOString().slice(0, 10)}`;
  const written: WrittenPart[] = [];
  onPart(0, plan.length);
  for (const part of plan) {
    const name = plan.length === 1 ? `${base}.zip` : `${base}-part-${part.number}-of-${plan.length}.zip`;
    const result = await writePart(part, path.join(outDir, name), { fileOf: (p) => byPath.get(p)!.written, manifest, date: new Date(c.generatedAt) }, signal);
    if (result.size > limit) throw new Error(`part ${part.number} came out at ${result.size} bytes, over the limit of ${limit}: the part plan is wrong`);
    written.push(result);
    onPart(written.length, plan.length);
  }
  return written;
}

/** The plan with every part number at its widest, for a size bound. */
const placeholderParts = (plan: PlannedPart[]): PlannedPart[] => plan.map((p) => ({ ...p, number: 99_999 }));

async function manifestFiles(files: PackageFile[], plan: PlannedPart[] | null, byPath: Map<string, PackageFile>): Promise<ManifestFile[]> {
  const whole = new Map<string, number>();
  const pieces = new Map<string, { name: string; offset: number; length: number; part: number }[]>();
  for (const part of plan ?? []) {
    for (const entry of part.entries) {
      if (entry.name === entry.source) whole.set(entry.source, part.number);
      else pieces.set(entry.source, [...(pieces.get(entry.source) ?? []), { name: entry.name, offset: entry.offset, length: entry.length, part: part.number }]);
    }
  }
  const out: ManifestFile[] = [];
  for (const f of files) {
    const chunks = pieces.get(f.path);
    if (chunks === undefined) {
      out.push({ path: f.path, size: f.written.size, sha256: f.written.sha256, part: whole.get(f.path) ?? 99_999 });
      continue;
    }
    const diskPath = byPath.get(f.path)!.written.diskPath;
    out.push({
      path: f.path,
      size: f.written.size,
      sha256: f.written.sha256,
      chunks: await Promise.all(
        chunks.map(async (c) => ({ path: c.name, size: c.length, sha256: await hashRange(diskPath, c.offset, c.length), part: c.part })),
      ),
    });
  }
  return out;
}
