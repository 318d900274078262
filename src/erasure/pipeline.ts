// The erasure job: the plan's steps in order, each recorded before and after it runs.
// A restart resumes at the step it stopped in (steps are idempotent) and never repeats a
// finished one. Only a read-back that finds nothing left makes the erasure "verified".
import { z } from 'zod';
import type { BotConfig } from '../config/load.ts';
import { isHomeserverError } from '../homeserver/errors.ts';
import type { ErasureOperations, Homeserver, PlannedRoom, ReadBack, RedactionResult } from '../homeserver/homeserver.ts';
import { JobFailure } from '../jobs/job.ts';
import type { JobContext, JobHandler } from '../jobs/runner.ts';
import type { Notifier } from '../notify/notifier.ts';
import { code, type Document, paragraph } from '../render/document.ts';
import type { Request } from '../requests/request.ts';
import { startingNotice } from './messages.ts';
import { planSteps, recipientServers, type StepName } from './plan.ts';
import { erasureReport, stepName } from './report.ts';
import type { ErasureSteps, StepRecord, StepResult } from './steps-store.ts';
import { failedChecks, onlyWhatCannotBeReached } from './verification.ts';

export { planSteps } from './plan.ts';

const PlannedRooms = z.array(
  z.object({
    roomId: z.string(),
    route: z.looseObject({ kind: z.enum(['gone', 'purge', 'quiet', 'visible', 'cannot']) }),
    leftovers: z.looseObject({ kind: z.string() }).nullable(),
    servers: z.array(z.string()).nullable(),
  }),
);

/**
 * What the job keeps between runs: the rooms recorded, how each is reached and which other
 * servers were in it, the rooms deleted so far, how far each redaction pass got (read by the
 * homeserver layer), and the admin-room command sent to leave the rooms.
 */
const Checkpoint = z
  .object({
    rooms: z.array(z.string()),
    plans: PlannedRooms,
    purged: z.array(z.string()),
    redaction: z.unknown(),
    sweep: z.unknown(),
    leaveCommand: z.string(),
  })
  .partial();
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
      const document = erasureReport(
        request,
        planSteps(deps.homeserver.capabilities),
        records,
        { kind: 'incomplete', problems: [description, ...notRedacted(records)] },
        deps.now(),
      );
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
  const purged = (): string[] => checkpoint().purged ?? [];
  /** The rooms still to be redacted and read back: every room recorded, less those deleted. */
  const rooms = (): string[] => (checkpoint().rooms ?? []).filter((r) => !purged().includes(r));
  const plans = (): PlannedRoom[] => (checkpoint().plans ?? []) as PlannedRoom[];
  const redact = (pass: 'redaction' | 'sweep') =>
    ops.redactEvents(
      userId,
      rooms(),
      {
        checkpoint: checkpoint()[pass] ?? null,
        save: (state) => save({ [pass]: state }),
        progress: (p) => ctx.progress({ phase: pass === 'redaction' ? 'redact' : 'sweep', counts: p }),
        signal: ctx.signal,
      },
      // The server's task runs once, in the first pass, over the rooms it can reach: a second would redact everything again.
      pass === 'redaction' ? { serverTask: true, taskRooms: taskRooms(plans(), rooms()) } : { serverTask: false },
    );

  const run: Record<StepName, () => Promise<StepResult>> = {
    memberships: async () => {
      const found = await ops.allRooms(userId, (checked, total) =>
        ctx.progress({ phase: 'memberships', counts: { roomsChecked: checked, roomsToCheck: total } }),
      );
      const roomIds = found.rooms.map((m) => m.roomId);
      save({ rooms: roomIds });
      const planned = await ops.planRooms(userId, roomIds);
      save({ plans: planned });
      const kinds = (kind: string) => planned.filter((p) => p.route.kind === kind || p.leftovers?.kind === kind).length;
      return {
        rooms: roomIds.length,
        left: found.rooms.filter((m) => m.membership === 'leave' || m.membership === 'ban').length,
        unchecked: found.unchecked.length,
        toPurge: kinds('purge'),
        visible: kinds('visible'),
        cannot: kinds('cannot'),
        ...(found.unchecked.length > 0 ? { notChecked: describeRooms(found.unchecked) } : {}),
        ...(recipientServers(planned).length > 0
          ? {
              recipients: recipientServers(planned)
                .map(({ server, rooms }) => `${server} (${rooms})`)
                .join(', '),
            }
          : {}),
      };
    },
    profile: async () => ({ cleared: (await ops.clearProfile(userId)) === 'cleared' }),
    purge: async () => {
      const refused: { roomId: string; reason: string }[] = [];
      for (const plan of plans().filter((p) => p.route.kind === 'purge' && !purged().includes(p.roomId))) {
        const outcome = await ops.purgeRoom(plan.roomId);
        if (outcome === 'purged' || outcome === 'gone') save({ purged: [...purged(), plan.roomId] });
        else refused.push({ roomId: plan.roomId, reason: outcome.refused });
      }
      return { purged: purged().length, refused: refused.length, ...(refused.length > 0 ? { notPurged: describeRooms(refused) } : {}) };
    },
    redact: async () => {
      await ops.liftRateLimits(userId);
      return redactionResult(await redact('redaction'));
    },
    media: async () => ({ files: await ops.deleteAllMedia(userId) }),
    threepids: async () => ({ removed: await ops.removeThreepids(userId) }),
    traces: async () => ({ ...(await ops.eraseTraces(userId, rooms())) }),
    announce: async () => ({ told: await announce(deps, request) }),
    deactivate: async () => ({ already: (await ops.deactivate(userId)) === 'already' }),
    // Whatever the user sent or added between the first pass and the end of their access.
    sweep: async () => {
      const redaction = redactionResult(await redact('sweep'));
      const result = { ...redaction, files: await ops.deleteAllMedia(userId), threepids: await ops.removeThreepids(userId) };
      await ops.restoreRateLimits(userId);
      return result;
    },
    'leave-rooms': async () => {
      const outcome = await ops.leaveRoomsAndClearProfile(userId, { sent: checkpoint().leaveCommand ?? null, save: (leaveCommand) => save({ leaveCommand }) });
      return { nothingLeft: outcome === 'nothing-left' };
    },
    verify: async () => {
      const markerLast = homeserver.capabilities.features.erasedMarkerPrunesAdminReads;
      const readBack = await settledReadBack(ops, userId, { recorded: rooms(), purged: purged() }, markerLast, now() + (deps.settleMs ?? 5000), now, sleep);
      const failed = failedChecks(readBack, { markerLater: markerLast });
      if (failed.length > 0) {
        // What the redaction could not reach stays so however often it is read again: said at once, not after hours of retries.
        const final = onlyWhatCannotBeReached(readBack, roomsNotRedacted(steps.all(request.id)), { markerLater: markerLast });
        throw new JobFailure(`the read-back found that ${failed.join(', ')}`, { retryable: !final });
      }
      return {
        verified: true,
        erasedFlag: markerLast ? 'set after the read-back' : readBack.erased === null ? 'not reported' : 'confirmed',
        roomsChecked: rooms().length + readBack.roomsFoundLate,
        crossSigningKept: readBack.crossSigning,
      };
    },
    'erase-marker': async () => ({ already: (await ops.markErased(userId)) === 'already' }),
    'admin-room': async () => ({ ...(await ops.forgetAdminCommands(userId)) }),
    forget: async () => {
      // Reported before the bot forgets whom it was about; the report names the person only to the admins and the privacy contact.
      await report(deps, request, plans());
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

/** The verified report, to the admins and the privacy contact, once (its key makes a resend the same message). */
async function report(deps: ErasureDeps, request: Request, plans: readonly PlannedRoom[]): Promise<void> {
  const records = deps.steps.all(request.id);
  const document = erasureReport(request, planSteps(deps.homeserver.capabilities), records, { kind: 'verified', plans }, deps.now());
  await deps.notifier.toAdmins(document, `erasure-report:${request.id}`);
  await deps.notifier.toPrivacyContact(document, `erasure-report:${request.id}`, {
    subject: `Erasure ${request.id} verified`,
    body: `Erasure ${request.id} was carried out and read back. The report, with the other servers that received the person's messages (GDPR Art. 19), is in the privacy contact room.`,
  });
}

/**
 * The rooms the server's task is given: those it can reach (the user is still in them, or the
 * server's task reaches rooms they left). Rooms it cannot reach would only add failures, and
 * Tuwunel's task fails as a whole at a room it does not know.
 */
function taskRooms(plans: readonly PlannedRoom[], rooms: readonly string[]): string[] {
  const reachable = new Set(plans.filter((p) => p.route.kind === 'quiet' && (p.route.by === 'person' || p.route.by === 'server-task')).map((p) => p.roomId));
  // Rooms recorded before plans were (an erasure begun by an earlier version) all go to the task.
  return plans.length === 0 ? [...rooms] : rooms.filter((r) => reachable.has(r));
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
async function settledReadBack(
  ops: ErasureOperations,
  userId: string,
  rooms: { recorded: string[]; purged: string[] },
  markerLater: boolean,
  deadline: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<ReadBack> {
  for (;;) {
    const readBack = await ops.readBack(userId, rooms);
    if (readBack.roomsStillIn === 0 || failedChecks(readBack, { markerLater }).length === 0 || now() >= deadline) return readBack;
    await sleep(250);
  }
}

function redactionResult(result: RedactionResult): StepResult {
  return {
    serverTask: result.serverTask,
    serverTaskFailures: result.serverTaskFailures,
    oneByOne: result.redactedOneByOne,
    roomsNotRedacted: result.roomsNotRedacted.length,
    ...(result.roomsNotRedacted.length > 0
      ? { notRedacted: describeRooms(result.roomsNotRedacted), notRedactedRooms: result.roomsNotRedacted.map((r) => r.roomId).join(' ') }
      : {}),
  };
}

/** Room IDs with why, for the admins (never a room's name: that is the members' words). */
const describeRooms = (rooms: readonly { roomId: string; reason: string }[]): string => rooms.map((r) => `${r.roomId} (${r.reason})`).join('; ');

/** The rooms the redaction passes recorded as not redactable here (the later pass has the last word). */
function roomsNotRedacted(records: readonly StepRecord[]): Set<string> {
  const last = records
    .map((r) => r.result?.['notRedactedRooms'])
    .filter((rooms): rooms is string => typeof rooms === 'string')
    .at(-1);
  return new Set(last === undefined || last === '' ? [] : last.split(' '));
}

/** What the steps recorded as impossible (rooms not redacted, not deleted, not checked), for the report of an erasure that stopped. */
function notRedacted(records: readonly StepRecord[]): string[] {
  const last = (key: string) =>
    records
      .map((r) => r.result?.[key])
      .filter((rooms): rooms is string => typeof rooms === 'string')
      .at(-1);
  const redaction = last('notRedacted');
  const purge = last('notPurged');
  const unchecked = last('notChecked');
  return [
    ...(redaction === undefined ? [] : [`events not redacted in ${redaction}`]),
    ...(purge === undefined ? [] : [`rooms not deleted: ${purge}`]),
    ...(unchecked === undefined ? [] : [`rooms of this server that could not be checked for the person: ${unchecked}`]),
  ];
}

/** A failure the admins, the requester and the runner understand: which step, why, and whether trying again can help. */
function asJobFailure(step: StepName, error: unknown): unknown {
  if (error instanceof JobFailure || !isHomeserverError(error)) return error;
  const final = error.kind === 'unsupported' || error.kind === 'not-found';
  return new JobFailure(`${stepName(step).toLowerCase()} failed: ${error.userMessage}`, { retryable: !final, cause: error });
}
