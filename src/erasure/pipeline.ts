// The erasure job: the plan's steps in order, each recorded before and after it runs.
// A restart resumes at the step it stopped in (steps are idempotent) and never repeats a
// finished one. Only a read-back that finds nothing left makes the erasure "verified".
import { z } from 'zod';
import type { BotConfig } from '../config/load.ts';
import { isHomeserverError } from '../homeserver/errors.ts';
import type { Capabilities, ErasureOperations, Homeserver, RedactionResult } from '../homeserver/homeserver.ts';
import { JobFailure } from '../jobs/job.ts';
import type { JobContext, JobHandler } from '../jobs/runner.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Request } from '../requests/request.ts';
import { code, paragraph, type Document } from '../render/document.ts';
import { startingNotice } from './messages.ts';
import { erasurePlan, type StepName } from './plan.ts';
import { erasureReport, stepName } from './report.ts';
import { ErasureSteps, type StepRecord, type StepResult } from './steps-store.ts';
import { failedChecks } from './verification.ts';

/** What the job keeps between runs: the rooms recorded, and how far each redaction pass got (read by the homeserver layer). */
const Checkpoint = z.object({ rooms: z.array(z.string()).optional(), redaction: z.unknown(), sweep: z.unknown() }).partial();
type Checkpoint = z.infer<typeof Checkpoint>;

export type ErasureDeps = {
  homeserver: Pick<Homeserver, 'capabilities' | 'erasure'>;
  steps: ErasureSteps;
  notifier: Notifier;
  config: BotConfig;
  now: () => number;
  /** The bot forgets the person: their requests pseudonymised, inbox rows and export files gone. */
  forget(userId: string, requestId: string): Promise<void>;
  /** How long the read-back waits for a server that finishes in the background (Synapse leaves rooms ~0.5 s later). */
  settleMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
};

export function planSteps(capabilities: Capabilities): StepName[] {
  return erasurePlan(capabilities, { roomsNow: 0, roomsLeft: 0 }).map((s) => s.step);
}

export function erasureHandler(deps: ErasureDeps): JobHandler {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    kind: 'erasure',
    // One at a time: each is irreversible and the admins read their reports one by one.
    concurrency: 1,
    maxAttempts: 4,
    describeProgress: (request, progress) => [paragraph('Erasure ', code(request.id), `: ${progress.phase.replace(/-/g, ' ')}`)],
    // Once told that the erasure is starting, the user hears nothing more: that was the last message.
    ownerReachable: (request) => deps.steps.get(request.id, 'announce') === null,
    run: (ctx) => runErasure(deps, ctx, sleep),
    failedForGood: async (request, description) => {
      const records = deps.steps.all(request.id);
      const document = erasureReport(request, planSteps(deps.homeserver.capabilities), records, { kind: 'incomplete', problems: [description, ...notRedacted(records)] }, deps.now());
      await deps.notifier.toAdmins(document, `erasure-failed:${request.id}`);
    },
  };
}

async function runErasure(deps: ErasureDeps, ctx: JobContext, sleep: (ms: number) => Promise<void>): Promise<Document> {
  const { homeserver, steps, now } = deps;
  const ops = homeserver.erasure;
  if (ops === null) throw new JobFailure('this server has no admin API the bot can erase an account with', { retryable: false });
  const request = ctx.request;
  const userId = request.userId;
  const checkpoint = (): Checkpoint => ctx.checkpoint.read(Checkpoint) ?? {};
  const save = (change: Partial<Checkpoint>) => ctx.checkpoint.write({ ...checkpoint(), ...change });
  const rooms = (): string[] => checkpoint().rooms ?? [];
  const redact = (pass: 'redaction' | 'sweep') =>
    ops.redactEvents(userId, rooms(), {
      checkpoint: checkpoint()[pass] ?? null,
      save: (state) => save({ [pass]: state }),
      progress: (p) => ctx.progress({ phase: pass === 'redaction' ? 'redact' : 'sweep', counts: p }),
      signal: ctx.signal,
    });

  const run: Record<StepName, () => Promise<StepResult>> = {
    memberships: async () => {
      const all = await ops.allMemberships(userId);
      save({ rooms: all.map((m) => m.roomId) });
      return { rooms: all.length, left: all.filter((m) => m.membership === 'leave' || m.membership === 'ban').length };
    },
    profile: async () => ({ cleared: (await ops.clearProfile(userId)) === 'cleared' }),
    redact: async () => redactionResult(await redact('redaction')),
    media: async () => ({ files: await ops.deleteAllMedia(userId) }),
    threepids: async () => ({ removed: await ops.removeThreepids(userId) }),
    announce: async () => ({ told: await announce(deps, request) }),
    deactivate: async () => ({ already: (await ops.deactivate(userId)) === 'already' }),
    // Whatever the user sent or added between the first pass and the end of their access.
    sweep: async () => {
      const redaction = redactionResult(await redact('sweep'));
      return { ...redaction, files: await ops.deleteAllMedia(userId), threepids: await ops.removeThreepids(userId) };
    },
    'leave-rooms': async () => ({ nothingLeft: (await ops.leaveRoomsAndClearProfile(userId)) === 'nothing-left' }),
    verify: async () => {
      const readBack = await settledReadBack(ops, userId, rooms(), now() + (deps.settleMs ?? 5000), now, sleep);
      const failed = failedChecks(readBack);
      if (failed.length > 0) throw new JobFailure(`the read-back found that ${failed.join(', ')}`);
      const result = { verified: true, erasedFlag: readBack.erased === null ? 'not reported' : 'confirmed' };
      const records = [...steps.all(request.id).filter((r) => r.step !== 'verify'), finishedRecord(steps.get(request.id, 'verify'), now(), result)];
      await deps.notifier.toAdmins(erasureReport(request, planSteps(homeserver.capabilities), records, { kind: 'verified' }, now()), `erasure-report:${request.id}`);
      return result;
    },
    forget: async () => {
      // The rooms recorded go with the rest: nothing of the person stays in the job either.
      ctx.checkpoint.write({});
      await deps.forget(userId, request.id);
      return {};
    },
  };

  for (const step of planSteps(homeserver.capabilities)) {
    if (steps.get(request.id, step)?.state === 'done') continue;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    steps.started(request.id, step, now());
    ctx.progress({ phase: step, counts: {} });
    let result: StepResult;
    try {
      result = await run[step]();
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      throw asJobFailure(step, error);
    }
    steps.done(request.id, step, now(), result);
    deps.log?.(`erasure ${request.id}: step ${step} done`);
  }
  return [paragraph('The erasure of your account is complete (request ', code(request.id), ').')];
}

/** The starting notice, best effort: an erasure entered by an admin, or a direct chat gone, has nobody to tell. */
async function announce(deps: ErasureDeps, request: Request): Promise<boolean> {
  if (request.roomId === null) return false;
  try {
    await deps.notifier.toRequester(request.roomId, startingNotice(request, deps.config), `erasure-starting:${request.id}`);
    return true;
  } catch {
    deps.log?.(`erasure ${request.id}: the starting notice could not be delivered; going on`);
    return false;
  }
}

/**
 * Reads everything back, again while the server may still be leaving the user's rooms in the
 * background (Synapse parts them after deactivating), until it passes or time is up. Nothing
 * else changes by waiting: other failures are final at once.
 */
async function settledReadBack(ops: ErasureOperations, userId: string, rooms: string[], deadline: number, now: () => number, sleep: (ms: number) => Promise<void>) {
  for (;;) {
    const readBack = await ops.readBack(userId, rooms);
    if (readBack.roomsStillIn === 0 || failedChecks(readBack).length === 0 || now() >= deadline) return readBack;
    await sleep(250);
  }
}

function redactionResult(result: RedactionResult): StepResult {
  return {
    serverTask: result.serverTask,
    serverTaskFailures: result.serverTaskFailures,
    oneByOne: result.redactedOneByOne,
    roomsNotRedacted: result.roomsNotRedacted.length,
    ...(result.roomsNotRedacted.length > 0 ? { notRedacted: describeRooms(result.roomsNotRedacted) } : {}),
  };
}

/** Room IDs with why, for the admins (never a room's name: that is the members' words). */
const describeRooms = (rooms: RedactionResult['roomsNotRedacted']): string => rooms.map((r) => `${r.roomId} (${r.reason})`).join('; ');

/** What the redaction passes recorded as impossible (the later pass has the last word), for the report of an erasure that stopped. */
function notRedacted(records: readonly StepRecord[]): string[] {
  const last = records.map((r) => r.result?.['notRedacted']).filter((rooms): rooms is string => typeof rooms === 'string').at(-1);
  return last === undefined ? [] : [`events not redacted in ${last}`];
}

/** A failure the admins, the requester and the runner understand: which step, why, and whether trying again can help. */
function asJobFailure(step: StepName, error: unknown): unknown {
  if (error instanceof JobFailure || !isHomeserverError(error)) return error;
  const final = error.kind === 'unsupported' || error.kind === 'not-found';
  return new JobFailure(`${stepName(step).toLowerCase()} failed: ${error.userMessage}`, { retryable: !final, cause: error });
}

/** The verify step as it will be recorded, for the report posted just before recording it. */
function finishedRecord(started: StepRecord | null, now: number, result: StepResult): StepRecord {
  return { step: 'verify', state: 'done', startedAt: started?.startedAt ?? now, finishedAt: now, attempts: started?.attempts ?? 1, result };
}
