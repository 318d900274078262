// What the bot and an export process say to each other over their IPC channel, checked on
// arrival on both sides. The tokens travel here and nowhere else (never in the process's
// arguments or environment, which `ps` and /proc show). An error crosses as a description and
// becomes the same error again on the bot's side, so the export job's one mapping from errors
// to what the requester reads (export-job.ts) serves both ways of making a package.
import { z } from 'zod';
import { BotConfig } from '../../config/schema.ts';
import { HomeserverError, HomeserverErrorKind } from '../../homeserver/errors.ts';
import { Capabilities } from '../../homeserver/homeserver.ts';
import { ExportPackage } from '../package/package.ts';
import { PartLimitTooSmall } from '../package/parts.ts';
import { ExportError, ExportProgress } from '../package/progress.ts';

/** The bot → the export process. */
export const ToExportProcess = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    config: BotConfig,
    tokens: z.object({ admin: z.string(), bot: z.string() }),
    /** As the bot detected them: the process does not probe the server again. */
    capabilities: Capabilities,
    /** The name its login-as sessions are recorded under, for the bot to end them if it dies. */
    owner: z.string(),
    order: z.object({ userId: z.string(), name: z.string(), outputDir: z.string(), now: z.number() }),
  }),
  /** Stop now (the request was cancelled, or the bot stops); the bot kills the process soon after. */
  z.object({ type: z.literal('stop') }),
]);
export type ToExportProcess = z.infer<typeof ToExportProcess>;

/** Why a package could not be made: an error as it can cross, without stack or personal data beyond its message. */
export const SentFailure = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('no-such-user'), message: z.string() }),
  z.object({ kind: z.literal('part-limit-too-small'), message: z.string() }),
  z.object({
    kind: z.literal('homeserver'),
    error: z.object({
      kind: HomeserverErrorKind,
      userMessage: z.string(),
      status: z.number().nullable(),
      errcode: z.string().nullable(),
      endpoint: z.string().nullable(),
      detail: z.string().nullable(),
    }),
  }),
  /** Anything else: only its name (its message could carry anything). */
  z.object({ kind: z.literal('unexpected'), name: z.string() }),
]);
export type SentFailure = z.infer<typeof SentFailure>;

/** The export process → the bot. */
export const FromExportProcess = z.discriminatedUnion('type', [
  /** Listening: the bot may send `start`. */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('progress'), progress: ExportProgress }),
  /** The package, and the process's peak resident memory (for the log and the benchmark). */
  z.object({ type: z.literal('made'), package: ExportPackage, peakRssBytes: z.number().nonnegative() }),
  z.object({ type: z.literal('failed'), failure: SentFailure }),
]);
export type FromExportProcess = z.infer<typeof FromExportProcess>;

/** In the export process: the error, as it can cross. */
export function sentFailure(error: unknown): SentFailure {
  if (error instanceof ExportError) return { kind: 'no-such-user', message: error.message };
  if (error instanceof PartLimitTooSmall) return { kind: 'part-limit-too-small', message: error.message };
  if (error instanceof HomeserverError) {
    const { kind, userMessage, status, errcode, endpoint, detail } = error;
    return { kind: 'homeserver', error: { kind, userMessage, status, errcode, endpoint, detail } };
  }
  return { kind: 'unexpected', name: error instanceof Error ? error.name : typeof error };
}

/** An unexpected error in the export process, by name only. */
export class ExportProcessError extends Error {
  override name = 'ExportProcessError';
}

/** In the bot: the same error again. */
export function receivedError(failure: SentFailure): Error {
  switch (failure.kind) {
    case 'no-such-user':
      return new ExportError('no-such-user', failure.message);
    case 'part-limit-too-small':
      return new PartLimitTooSmall(failure.message);
    case 'homeserver':
      return new HomeserverError(failure.error);
    case 'unexpected':
      return new ExportProcessError(`the export process failed with ${failure.name}`);
  }
}
