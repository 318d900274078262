// The export job: has the package made (package-maker.ts) and delivers it, part by part, into the
// requester's direct chat, then says what arrived and until when. A restart resumes it: a
// finished package is found again by its name (the request ID), and each part's upload and
// message are recorded as they happen (export_uploads, and the checkpoint between the two),
// with send keys derived from the request and the part, so no part is ever sent twice.
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { BotConfig } from '../../config/load.ts';
import { HomeserverError } from '../../homeserver/errors.ts';
import type { Homeserver } from '../../homeserver/homeserver.ts';
import { troubleDescription } from '../../homeserver/trouble.ts';
import { JobFailure } from '../../jobs/job.ts';
import type { JobContext, JobHandler } from '../../jobs/runner.ts';
import { type Chat, keepTyping } from '../../matrix/chat.ts';
import { describeFailure } from '../../matrix/request-failure.ts';
import { CannotEncryptError, SendError } from '../../matrix/send-once.ts';
import type { Document } from '../../render/document.ts';
import { PartLimitTooSmall } from '../package/parts.ts';
import { ExportError, type ExportProgress } from '../package/progress.ts';
import { ExportProcessStopped } from '../process/export-process.ts';
import type { PackageMaker } from '../process/package-maker.ts';
import {
  type Attachment,
  type AttachmentUploader,
  encryptedUploader,
  fileMessageContent,
  type PackagePart,
  packageParts,
  plainUploader,
  uploadedUri,
} from './delivery.ts';
import { discardExport, type ExpiryDependencies, uploadNameFor } from './expiry.ts';
import type { ExportStore } from './export-store.ts';
import {
  CANNOT_ENCRYPT,
  exportProgress,
  exportReady,
  NO_ACCOUNT,
  NO_DIRECT_CHAT,
  NOT_A_DIRECT_CHAT,
  NOT_AVAILABLE,
  PROCESS_STOPPED,
  UPLOAD_LIMIT_TOO_SMALL,
} from './messages.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Progress is saved and shown at most this often (a page of events arrives many times a second). */
const PROGRESS_INTERVAL_MS = 1000;

/** Attempts of a whole export; between them the runner waits with exponential backoff. */
const MAX_ATTEMPTS = 4;

const AttachmentSchema = z.union([
  z.object({ kind: z.literal('plain'), url: z.string() }),
  z.object({ kind: z.literal('encrypted'), file: z.object({ url: z.string() }).loose() }),
]);

/** Between a part's upload and the record of its message: what to send again after a crash (the same content, under the same key). */
const Checkpoint = z.object({ pending: z.object({ part: z.number().int(), attachment: AttachmentSchema }).nullable() });

export type ExportJobOptions = {
  config: BotConfig;
  homeserver: Homeserver;
  /** Makes the package: in a process of its own in the running bot (export-process.ts). */
  makePackage: PackageMaker;
  chat: Chat;
  /** Whether the bot can encrypt (end-to-end encryption is on). */
  encryption: boolean;
  store: ExportStore;
  expiry: ExpiryDependencies;
  /** Whether the request was cancelled meanwhile (or its person erased): then nothing is delivered. */
  isCancelled: (requestId: string) => boolean;
  now: () => number;
  /** For the operator: how long making and delivering a package took (no personal data). */
  log?: (line: string) => void;
};

export const sendKeyFor = (requestId: string, part: number): string => `export:${requestId}:part:${part}`;

export function exportJobHandler(options: ExportJobOptions): JobHandler {
  const { config } = options;
  return {
    kind: 'export',
    concurrency: config.export.concurrency,
    maxAttempts: MAX_ATTEMPTS,
    describeProgress: exportProgress,
    run: async (ctx) => {
      const roomId = ctx.request.roomId;
      if (roomId === null) throw new JobFailure(NO_DIRECT_CHAT, { retryable: false });
      const stopTyping = keepTyping(options.chat, roomId);
      try {
        return await runExport(options, ctx, roomId);
      } catch (error) {
        if (options.isCancelled(ctx.request.id)) await discardExport(options.expiry, ctx.request.id);
        throw asJobFailure(error, ctx.signal);
      } finally {
        await stopTyping();
      }
    },
    // Nothing of a failed export stays: the parts already sent point at deleted uploads.
    failedForGood: async (request) => discardExport(options.expiry, request.id),
  };
}

async function runExport(options: ExportJobOptions, ctx: JobContext, roomId: string): Promise<Document> {
  const { config, store, now } = options;
  const { request, signal } = ctx;
  const report = throttledProgress(ctx, now);
  const pkg = await options.makePackage(
    { userId: request.userId, name: request.id, outputDir: options.expiry.outputDir, now },
    { onProgress: (p) => report(fromExport(p), p.phase !== 'rooms' && p.phase !== 'probe'), signal },
  );
  const deliveryStarted = performance.now();
  const record = store.begin(request.id, now(), now() + config.export.retentionDays * DAY_MS);
  const parts = packageParts(options.expiry.outputDir, pkg);
  const uploads = new Map(store.uploads(request.id).map((u) => [u.part, u]));
  const sentCount = () => [...uploads.values()].filter((u) => u.eventId !== null).length;
  let encrypted: boolean | null = null;
  for (const part of parts) {
    report({ phase: 'delivering', counts: { sent: sentCount(), partsTotal: parts.length } }, true);
    if (uploads.get(part.number)?.eventId) continue;
    if (options.isCancelled(request.id)) throw new Error('the request was cancelled');
    // Checked before every part: a chat that stopped being direct gets nothing more.
    const target = await deliveryTarget(options, request.userId, roomId, request.id);
    encrypted = target.kind === 'encrypted';
    const attachment = await attachmentFor(ctx, part, target, uploads.get(part.number)?.uri ?? null, options);
    const uri = uploadedUri(attachment);
    store.recordUpload(request.id, part.number, uri);
    const eventId = await options.chat.sendMessage(roomId, fileMessageContent(part, attachment, record.expiresAt), {
      key: sendKeyFor(request.id, part.number),
      // The key of an encrypted attachment is in the event: it must never go out in the clear.
      mustEncrypt: attachment.kind === 'encrypted',
    });
    store.recordSent(request.id, part.number, eventId);
    ctx.checkpoint.write({ pending: null });
    uploads.set(part.number, { part: part.number, uri, eventId });
  }
  encrypted ??= await options.chat.isEncrypted(roomId);
  store.markDelivered(request.id, now());
  const seconds = ((performance.now() - deliveryStarted) / 1000).toFixed(1);
  options.log?.(`export ${request.id}: ${parts.length} part(s), ${(pkg.totalSize / 1e6).toFixed(1)} MB, delivered in ${seconds} s`);
  options.expiry.audit?.(request.id, 'export-delivered', { parts: parts.length, bytes: pkg.totalSize });
  return exportReady(request, pkg, record.expiresAt, encrypted, config.export.retentionDays);
}

/**
 * The part's upload: the one the checkpoint holds when a crash came between upload and message
 * (sent again as it was, under the same key, so the server keeps one message), else a new one,
 * recorded in the checkpoint before its message goes out. An upload never announced is deleted.
 */
async function attachmentFor(
  ctx: JobContext,
  part: PackagePart,
  target: DeliveryTarget,
  recorded: string | null,
  options: ExportJobOptions,
): Promise<Attachment> {
  const pending = ctx.checkpoint.read(Checkpoint)?.pending ?? null;
  const earlier = pending?.part === part.number ? pending.attachment : null;
  if (earlier !== null && earlier.kind === target.kind) return earlier;
  for (const uri of new Set([recorded, earlier === null ? null : uploadedUri(earlier)])) if (uri !== null) await options.homeserver.deleteUpload(uri);
  const attachment = await target.upload(part, ctx.signal);
  ctx.checkpoint.write({ pending: { part: part.number, attachment } });
  return attachment;
}

type DeliveryTarget = { kind: Attachment['kind']; upload: AttachmentUploader };

/** Only the requester's direct chat, and only encrypted where it is encrypted; anything else stops the delivery. */
async function deliveryTarget(options: ExportJobOptions, userId: string, roomId: string, requestId: string): Promise<DeliveryTarget> {
  const { chat, homeserver } = options;
  const members = new Set(await chat.joinedOrInvited(roomId));
  if (members.size !== 2 || !members.has(userId) || !members.has(chat.userId)) throw new JobFailure(NOT_A_DIRECT_CHAT, { retryable: false });
  const encrypted = await chat.isEncrypted(roomId);
  if (encrypted && !options.encryption) throw new JobFailure(CANNOT_ENCRYPT, { retryable: false });
  const name = uploadNameFor(requestId);
  return encrypted ? { kind: 'encrypted', upload: encryptedUploader(homeserver, name) } : { kind: 'plain', upload: plainUploader(homeserver, name) };
}

/** The job's progress from the export's, saved and shown at most once a second (and at every change of phase). */
function throttledProgress(ctx: JobContext, now: () => number): (progress: { phase: string; counts: Record<string, number> }, force: boolean) => void {
  let last = 0;
  let phase = '';
  return (progress, force) => {
    const at = now();
    if (!force && progress.phase === phase && at - last < PROGRESS_INTERVAL_MS) return;
    last = at;
    phase = progress.phase;
    ctx.progress(progress);
  };
}

const fromExport = (p: ExportProgress) => ({
  phase: p.phase === 'done' ? 'writing' : p.phase,
  counts: {
    probed: p.probe.done,
    probeTotal: p.probe.total,
    rooms: p.rooms.done,
    roomsTotal: p.rooms.total,
    events: p.events,
    media: p.media.done,
    mediaTotal: p.media.total,
    mediaBytes: p.media.bytes,
    parts: p.parts.done,
    partsTotal: p.parts.total,
  },
});

/** What the requester and the admins read when an attempt fails: plain words, never details. */
function asJobFailure(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted || error instanceof JobFailure) return error;
  if (error instanceof ExportError) return new JobFailure(NO_ACCOUNT, { retryable: false, cause: error });
  if (error instanceof PartLimitTooSmall) return new JobFailure(UPLOAD_LIMIT_TOO_SMALL, { retryable: false, cause: error });
  if (error instanceof ExportProcessStopped) return new JobFailure(PROCESS_STOPPED, { retryable: true, cause: error });
  if (error instanceof CannotEncryptError) return new JobFailure(CANNOT_ENCRYPT, { retryable: false, cause: error });
  if (error instanceof HomeserverError && error.kind === 'unsupported') return new JobFailure(NOT_AVAILABLE, { retryable: false, cause: error });
  if (error instanceof HomeserverError) {
    const permanent = error.kind === 'unauthorized' || error.kind === 'forbidden';
    return new JobFailure(troubleDescription(error.kind).replace(/\.$/, ''), { retryable: !permanent, cause: error });
  }
  if (error instanceof SendError) {
    const permanent = error.failure.kind === 'refused' || error.failure.kind === 'too-large';
    return new JobFailure(`I could not post the files in our chat: ${describeFailure(error.failure)}`, { retryable: !permanent, cause: error });
  }
  return error;
}
