// The job runner on a real SQLite file: order, concurrency, retries, failure, cancelling,
// and a restart in the middle of a job.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobFailure } from '../../src/jobs/job.ts';
import { JobStore } from '../../src/jobs/job-store.ts';
import { type JobContext, type JobEvents, type JobHandler, JobRunner } from '../../src/jobs/runner.ts';
import { paragraph } from '../../src/render/document.ts';
import { render } from '../../src/render/render.ts';
import { waitUntil } from '../support/wait.ts';
import { type Fixture, removeDir, requestFixture } from './support.ts';

const describeProgress: JobHandler['describeProgress'] = (_request, progress) => [paragraph(`phase ${progress.phase}`)];

let fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures) {
    f.close();
    removeDir(f.dir);
  }
  fixtures = [];
});

function recordingEvents() {
  const seen: string[] = [];
  const events: JobEvents = {
    delayed: (r) => void seen.push(`delayed ${r.id}`),
    progress: (r, _j, message) => void seen.push(`progress ${r.id} ${render(message).text}`),
    completed: (r) => void seen.push(`completed ${r.id}`),
    failed: (r, _j, why) => void seen.push(`failed ${r.id}: ${why}`),
  };
  return { seen, events };
}

/** A handler whose runs the test releases one by one. */
function gatedHandler(kind: 'export' | 'erasure', concurrency: number) {
  const started: string[] = [];
  const gates = new Map<string, { release: () => void; fail: (e: unknown) => void }>();
  const handler: JobHandler = {
    kind,
    concurrency,
    maxAttempts: 3,
    describeProgress,
    run: (ctx: JobContext) =>
      new Promise<undefined>((resolve, reject) => {
        started.push(ctx.request.id);
        ctx.progress({ phase: 'working', counts: {} });
        gates.set(ctx.request.id, { release: () => resolve(undefined), fail: reject });
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }),
  };
  return { handler, started, gates };
}

function setup(handlers: JobHandler[], f = requestFixture()) {
  fixtures.push(f);
  const { seen, events } = recordingEvents();
  const runner = new JobRunner({ store: new JobStore(f.db), requests: f.requests, handlers, events, now: f.clock.now, retryBaseMs: 10 });
  return { f, runner, seen };
}

const openExport = (f: Fixture, n: number) => {
  const request = f.requests.open({ kind: 'export', userId: `@user${n}:example.org`, roomId: `!dm${n}:example.org`, sourceEventId: `$cmd${n}` });
  f.requests.transition(request.id, 'scheduled', 'bot');
  return f.requests.get(request.id)!;
};

describe('the job runner', () => {
  it('runs nothing before it is started: a job enqueued earlier waits, in the queue, and starts with it', async () => {
    const gated = gatedHandler('export', 1);
    const { f, runner } = setup([gated.handler]);
    const a = openExport(f, 1);
    runner.enqueue(a);
    runner.pump();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(gated.started).toEqual([]);
    expect(runner.placeInQueue(a.id)).toBe(1);
    runner.start();
    await waitUntil(() => gated.started.length === 1, 'the job to start');
    gated.gates.get(a.id)!.release();
    await waitUntil(() => f.requests.get(a.id)!.state === 'completed', 'the job to complete');
  });

  it('runs a handler registered after it was built; a later one of the same kind replaces the earlier', async () => {
    const bots = gatedHandler('export', 1);
    const stand = gatedHandler('export', 1);
    const { f, runner } = setup([]);
    runner.register(bots.handler);
    runner.register(stand.handler);
    const a = openExport(f, 1);
    runner.start();
    runner.enqueue(a);
    await waitUntil(() => stand.started.length === 1, 'the stand-in to start');
    expect(bots.started).toEqual([]);
    stand.gates.get(a.id)!.release();
    await waitUntil(() => f.requests.get(a.id)!.state === 'completed', 'the job to complete');
  });

  it('runs first come first served, no more than the concurrency at once, and shows the place in the queue', async () => {
    const gated = gatedHandler('export', 2);
    const { f, runner, seen } = setup([gated.handler]);
    const [a, b, c] = [openExport(f, 1), openExport(f, 2), openExport(f, 3)];
    runner.start();
    for (const r of [a, b, c]) runner.enqueue(r);
    await waitUntil(() => gated.started.length === 2, 'two jobs to start');
    expect(gated.started).toEqual([a.id, b.id]);
    expect(runner.placeInQueue(c.id)).toBe(1);
    expect(f.requests.get(a.id)!.state).toBe('in_progress');
    expect(f.requests.get(c.id)!.state).toBe('scheduled');

    gated.gates.get(a.id)!.release();
    await waitUntil(() => gated.started.length === 3, 'the third job to start');
    expect(gated.started[2]).toBe(c.id);
    gated.gates.get(b.id)!.release();
    gated.gates.get(c.id)!.release();
    await runner.idle();
    expect(seen.filter((s) => s.startsWith('completed'))).toEqual([`completed ${a.id}`, `completed ${b.id}`, `completed ${c.id}`]);
    expect(f.requests.get(c.id)!.state).toBe('completed');
    await runner.stop();
  });

  it('retries a failing job with backoff, then fails the request for good and says why', async () => {
    let attempts = 0;
    const handler: JobHandler = {
      kind: 'export',
      concurrency: 1,
      maxAttempts: 3,
      describeProgress,
      run: async () => {
        attempts++;
        throw new JobFailure('the homeserver kept failing');
      },
    };
    const { f, runner, seen } = setup([handler]);
    const r = openExport(f, 1);
    runner.start();
    runner.enqueue(r);
    // Backoff waits are real (10 ms base), and the clock must move past not_before.
    await waitUntil(
      () => {
        f.clock.advance(1000);
        runner.pump();
        return f.requests.get(r.id)!.state === 'failed';
      },
      'the request to fail',
      5000,
    );
    expect(attempts).toBe(3);
    const failed = f.requests.get(r.id)!;
    expect(failed.detail.failure).toBe('the homeserver kept failing');
    expect(seen).toContain(`failed ${r.id}: the homeserver kept failing`);
    await runner.stop();
  });

  it('does not retry a failure that says it cannot help', async () => {
    let attempts = 0;
    const handler: JobHandler = {
      kind: 'export',
      concurrency: 1,
      maxAttempts: 5,
      describeProgress,
      run: async () => {
        attempts++;
        throw new JobFailure('no such account', { retryable: false });
      },
    };
    const { f, runner } = setup([handler]);
    const r = openExport(f, 1);
    runner.start();
    runner.enqueue(r);
    await waitUntil(() => f.requests.get(r.id)!.state === 'failed', 'the request to fail');
    expect(attempts).toBe(1);
    await runner.stop();
  });

  it('cancels a queued job and aborts a running one', async () => {
    const gated = gatedHandler('export', 1);
    const { f, runner } = setup([gated.handler]);
    const [a, b] = [openExport(f, 1), openExport(f, 2)];
    runner.start();
    runner.enqueue(a);
    runner.enqueue(b);
    await waitUntil(() => gated.started.length === 1, 'a job to start');
    f.requests.transition(b.id, 'cancelled', 'requester');
    runner.cancel(b.id);
    f.requests.transition(a.id, 'cancelled', 'requester');
    runner.cancel(a.id);
    await runner.idle();
    expect(new JobStore(f.db).get(a.id)!.state).toBe('cancelled');
    expect(new JobStore(f.db).get(b.id)!.state).toBe('cancelled');
    expect(gated.started).toEqual([a.id]);
    await runner.stop();
  });

  it('resumes a job interrupted by a restart, tells the owner once, and gives it its checkpoint', async () => {
    const gated = gatedHandler('export', 1);
    const first = setup([gated.handler]);
    const r = openExport(first.f, 1);
    first.runner.start();
    first.runner.enqueue(r);
    await waitUntil(() => gated.started.length === 1, 'the job to start');
    new JobStore(first.f.db).writeCheckpoint(r.id, { roomsDone: 3 });
    await first.runner.stop(); // the bot stops (or dies) in the middle of the job

    const resumedWith: unknown[] = [];
    const handler: JobHandler = {
      kind: 'export',
      concurrency: 1,
      maxAttempts: 3,
      describeProgress,
      run: async (ctx) => void resumedWith.push([ctx.resumed, ctx.checkpoint.read(z.object({ roomsDone: z.number() }))]),
    };
    const f2 = first.f.reopen();
    const second = setup([handler], f2);
    second.runner.start();
    await waitUntil(() => f2.requests.get(r.id)!.state === 'completed', 'the resumed job to complete');
    expect(resumedWith).toEqual([[true, { roomsDone: 3 }]]);
    expect(second.seen.filter((s) => s.startsWith('delayed'))).toEqual([`delayed ${r.id}`]);
    expect(new JobStore(f2.db).get(r.id)!.checkpoint).toBeNull();
    await second.runner.stop();
  });

  it('does not count attempts a restart interrupted: a job stopped more often than its attempts still gets its retries', async () => {
    const gated = gatedHandler('export', 1);
    let run = setup([gated.handler]);
    const r = openExport(run.f, 1);
    run.runner.start();
    run.runner.enqueue(r);
    for (let restart = 1; restart <= 4; restart++) {
      await waitUntil(() => gated.started.length === restart, `run ${restart} to start`);
      await run.runner.stop(); // the bot stops (or dies) in the middle of the job
      run = setup([gated.handler], run.f.reopen());
      run.runner.start();
    }
    await waitUntil(() => gated.started.length === 5, 'the fifth run to start');
    gated.gates.get(r.id)!.fail(new JobFailure('the homeserver failed once'));
    await waitUntil(() => {
      run.f.clock.advance(1000);
      run.runner.pump();
      return gated.started.length === 6;
    }, 'a retry after the failure');
    gated.gates.get(r.id)!.release();
    await waitUntil(() => run.f.requests.get(r.id)!.state === 'completed', 'the job to complete');
    await run.runner.stop();
  });
});
