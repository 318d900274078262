// The erasure job: the plan's steps in order, each recorded before and after it runs.
// A restart resumes at the step it stopped in (steps are idempotent) and never repeats a
// finished one. Only a read-back that finds nothing left makes the erasure "verified".
import { z } from 'zod';
import type { BotConfig } from '../config/load.ts';
import { JobFailure } from '../jobs/job.ts';
import type { JobContext, JobHandler } from '../jobs/runner.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Request } from '../requests/request.ts';
import { code, paragraph, type Document } from '../render/document.ts';
import { startingNotice } from './messages.ts';
import { failedChecks, type ErasureOperations } from './operations.ts';
import { erasurePlan, type StepName } from './plan.ts';
import { erasureReport } from './report.ts';
import { ErasureSteps, type StepResult } from './steps-store.ts';

const Checkpoint = z.object({ rooms: z.array(z.string()).optional(), redaction: z.record(z.string(), z.unknown()).nullable().optional() }).loose();
type Checkpoint = z.infer<typeof Checkpoint>;

export type ErasureDeps = {
  ops: ErasureOperations;
  steps: ErasureSteps;
  notifier: Notifier;
  config: BotConfig;
  now: () => number;
  /** The bot forgets the person (their requests pseudonymised, inbox rows gone). */
  forget(userId: string, requestId: string): void;
  /** How long the read-back waits for a server that finishes in the background (Synapse leaves rooms ~0.5 s later). */
  settleMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

export function planSteps(ops: ErasureOperations): StepName[] {
  return erasurePlan(ops.capabilities, { roomsNow: 0, roomsLeft: 0 }).map((s) => s.step);
}

export function erasureHandler(deps: ErasureDeps): JobHandler {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    kind: 'erasure',
    // One at a time: each is irreversible and the admins read their reports one by one.
    concurrency: 1,
    maxAttempts: 4,
    describeProgress: (request, progress) => [paragraph('Erasure ', code(request.id), `: ${progress.phase.replace(/-/g, ' ')}`)],
    run: (ctx) => runErasure(deps, ctx, sleep),
    failedForGood: async (request, description) => {
      const records = deps.steps.all(request.id);
      const plan = planSteps(deps.ops);
      await deps.notifier.toAdmins(erasureReport(request, plan, records, { verified: false, problems: [description] }, deps.now()), `erasure-failed:${request.id}`);
    },
  };
}

async function runErasure(deps: ErasureDeps, ctx: JobContext, sleep: (ms: number) => Promise<void>): Promise<Document> {
  const { ops, steps, now } = deps;
  const request = ctx.request;
  const userId = request.userId;
  const checkpoint = (): Checkpoint => ctx.checkpoint.read(Checkpoint) ?? {};
  const save = (change: Partial<Checkpoint>) => ctx.checkpoint.write({ ...checkpoint(), ...change });
  const rooms = (): string[] => checkpoint().rooms ?? [];

  const run: Record<StepName, () => Promise<StepResult>> = {
    memberships: async () => {
      const all = await ops.allMemberships(userId);
      save({ rooms: all.map((m) => m.roomId) });
      return { rooms: all.length, left: all.filter((m) => m.membership === 'leave' || m.membership === 'ban').length };
    },
    redact: async () => {
      const result = await ops.redactEvents(userId, rooms(), {
        checkpoint: checkpoint().redaction ?? null,
        save: (redaction) => save({ redaction }),
        progress: (p) => ctx.progress({ phase: 'redact', counts: { roomsDone: p.roomsDone, roomsTotal: p.roomsTotal, redacted: p.redacted } }),
        signal: ctx.signal,
      });
      return { events: result.redacted, roomsNotRedacted: result.failedRooms.length };
    },
    media: async () => ({ files: await ops.deleteAllMedia(userId) }),
    threepids: async () => ({ removed: await ops.removeThreepids(userId) }),
    announce: async () => {
      if (request.roomId !== null) await deps.notifier.toRequester(request.roomId, startingNotice(request, deps.config), `erasure-starting:${request.id}`);
      return { told: request.roomId !== null };
    },
    deactivate: async () => {
      await ops.deactivate(userId);
      return {};
    },
    'leave-rooms': async () => {
      await ops.leaveRoomsAndClearProfile(userId);
      return {};
    },
    verify: async () => {
      // The server may still be finishing in the background: read again for a while before judging.
      const deadline = now() + (deps.settleMs ?? 5000);
      for (;;) {
        const failed = failedChecks(await ops.readBack(userId, rooms()));
        if (failed.length === 0) break;
        if (now() >= deadline) throw new JobFailure(`the read-back found ${failed.join(', ')}`);
        await sleep(250);
      }
      await deps.notifier.toAdmins(
        erasureReport(request, planSteps(ops), [...steps.all(request.id).filter((r) => r.step !== 'verify'), verifiedRecord(request, steps, now())], { verified: true, problems: [] }, now()),
        `erasure-report:${request.id}`,
      );
      return { verified: true };
    },
    forget: async () => {
      deps.forget(userId, request.id);
      return {};
    },
  };

  for (const step of planSteps(ops)) {
    if (steps.get(request.id, step)?.state === 'done') continue;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    steps.started(request.id, step, now());
    ctx.progress({ phase: step, counts: {} });
    const result = await run[step]();
    steps.done(request.id, step, now(), result);
  }
  return [paragraph('The erasure of your account is complete (request ', code(request.id), ').')];
}

/** The verify step as it will be recorded, for the report posted just before recording it. */
function verifiedRecord(request: Request, steps: ErasureSteps, now: number) {
  const started = steps.get(request.id, 'verify');
  return { step: 'verify', state: 'done' as const, startedAt: started?.startedAt ?? now, finishedAt: now, attempts: started?.attempts ?? 1, result: { verified: true } };
}
