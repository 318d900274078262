// Runs the jobs of requests in the background: first come first served, a configurable
// number at a time per kind, retried with backoff, resumed after a restart. The runner
// owns the request's working states (in_progress → completed | failed); what the owner is
// told is up to the `events` the bot passes in.
import type { z } from 'zod';
import { backoffDelay } from '../backoff.ts';
import type { Document } from '../render/document.ts';
import { BOT, type Request, type RequestKind } from '../requests/request.ts';
import type { RequestService } from '../requests/requests.ts';
import { type Job, JobFailure, type JobProgress } from './job.ts';
import type { JobStore } from './job-store.ts';

export type JobContext = {
  request: Request;
  job: Job;
  /** True when an earlier run of this job was interrupted (a restart) or failed. */
  resumed: boolean;
  /** Aborted when the request is cancelled or the bot stops. */
  signal: AbortSignal;
  progress(progress: JobProgress): void;
  checkpoint: {
    read<T extends z.ZodType>(schema: T): z.output<T> | null;
    write(value: unknown): void;
  };
};

export type JobHandler = {
  kind: RequestKind;
  /** How many of this kind may run at once. */
  concurrency: number;
  /** Attempts of the whole job before it fails for good. */
  maxAttempts: number;
  /** Does the work; resolves with what the owner is told at the end (or nothing: a generic note). */
  run(context: JobContext): Promise<Document | undefined>;
  /** The owner's progress message for a progress report. */
  describeProgress(request: Request, progress: JobProgress): Document;
  /** After the last attempt failed (the request is already failed): e.g. report what was done. */
  failedForGood?(request: Request, description: string): Promise<void>;
  /** Whether the owner may still be told anything (delays, progress, the outcome); by default always. */
  ownerReachable?(request: Request): boolean;
};

/** What the owner and the admins hear; every hook is best effort and must not throw. */
export type JobEvents = {
  /** A job that was interrupted by a restart starts again (told once per job). */
  delayed(request: Request, job: Job): Promise<void> | void;
  progress(request: Request, job: Job, message: Document): Promise<void> | void;
  completed(request: Request, job: Job, summary: Document | null): Promise<void> | void;
  /** The job failed for good; `description` is safe to show. The request is already failed. */
  failed(request: Request, job: Job, description: string): Promise<void> | void;
};

export type JobRunnerOptions = {
  store: JobStore;
  requests: RequestService;
  /** The handlers known from the start; more can be registered before start(). */
  handlers?: readonly JobHandler[];
  events: JobEvents;
  now: () => number;
  /** Base of the exponential backoff between attempts. */
  retryBaseMs?: number;
  log?: (line: string) => void;
};

const GENERIC_FAILURE = 'an unexpected error stopped it';

export class JobRunner {
  readonly #store: JobStore;
  readonly #requests: RequestService;
  readonly #handlers: Map<RequestKind, JobHandler>;
  readonly #events: JobEvents;
  readonly #now: () => number;
  readonly #retryBaseMs: number;
  readonly #log: (line: string) => void;
  readonly #running = new Map<string, { kind: RequestKind; controller: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | null = null;
  /** Nothing runs before start(): a job enqueued earlier waits for it. */
  #started = false;
  #stopped = false;

  constructor(options: JobRunnerOptions) {
    this.#store = options.store;
    this.#requests = options.requests;
    this.#handlers = new Map((options.handlers ?? []).map((h) => [h.kind, h]));
    this.#events = options.events;
    this.#now = options.now;
    this.#retryBaseMs = options.retryBaseMs ?? 30_000;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Adds the handler of a kind, before start(); a later one of the same kind replaces the
   * earlier (a test's stand-in for the bot's own). Registering after construction lets a
   * handler use what needs the runner itself (the export desk, for an erasure's clean-up).
   */
  register(handler: JobHandler): void {
    this.#handlers.set(handler.kind, handler);
  }

  /** Requeues what a previous run left running, and starts whatever may start. */
  start(): void {
    this.#started = true;
    const interrupted = this.#store.requeueInterrupted();
    if (interrupted > 0) this.#log(`${interrupted} job(s) interrupted by a restart are queued again`);
    this.pump();
  }

  /** Queues a request's job (after `notBefore`, e.g. a cooling-off period) and starts it when a slot is free. */
  enqueue(request: Request, notBefore = this.#now()): void {
    this.#store.enqueue(request.id, request.kind, this.#now(), notBefore);
    this.pump();
  }

  placeInQueue(requestId: string): number | null {
    return this.#store.placeInQueue(requestId);
  }

  /** Stops a queued or running job of a cancelled request. */
  cancel(requestId: string): void {
    const running = this.#running.get(requestId);
    if (running) running.controller.abort(new Error('cancelled'));
    else if (this.#store.get(requestId)?.state === 'queued') this.#store.finish(requestId, 'cancelled', this.#now());
  }

  /** Starts every job that may start now, and wakes up again for the next one that waits. */
  pump(): void {
    if (this.#stopped || !this.#started) return;
    for (const handler of this.#handlers.values()) {
      while (this.#runningOf(handler.kind) < handler.concurrency) {
        const job = this.#store.claimNext(handler.kind, this.#now());
        if (job === null) break;
        this.#launch(handler, job);
      }
    }
    this.#wakeForNext();
  }

  /** Resolves when no job is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()].map((r) => r.done));
  }

  /** Stops starting jobs and interrupts the running ones; they resume at the next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const running of this.#running.values()) running.controller.abort(new Error('stopping'));
    await this.idle();
  }

  #runningOf(kind: RequestKind): number {
    return [...this.#running.values()].filter((r) => r.kind === kind).length;
  }

  #wakeForNext(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const next = this.#store.nextReadyAt();
    if (next === null || this.#stopped) return;
    // Timers cannot wait longer than ~24.8 days; waking early just looks again.
    const wait = Math.min(Math.max(0, next - this.#now()), 2 ** 31 - 1);
    this.#timer = setTimeout(() => this.pump(), wait);
    this.#timer.unref();
  }

  #launch(handler: JobHandler, job: Job): void {
    const controller = new AbortController();
    const done = this.#run(handler, job, controller.signal).finally(() => {
      this.#running.delete(job.requestId);
      this.pump();
    });
    this.#running.set(job.requestId, { kind: handler.kind, controller, done });
  }

  async #run(handler: JobHandler, job: Job, signal: AbortSignal): Promise<void> {
    let request = this.#requests.get(job.requestId);
    if (request === null || request.state === 'cancelled') {
      this.#store.finish(job.requestId, 'cancelled', this.#now());
      return;
    }
    if (request.state !== 'in_progress') {
      const moved = this.#requests.transition(request.id, 'in_progress', BOT);
      if (!moved.ok) {
        this.#log(`job ${request.id} cannot start: ${moved.problem}`);
        this.#store.finish(job.requestId, 'cancelled', this.#now());
        return;
      }
      request = moved.request;
    }
    const tellOwner = (current: Request) => handler.ownerReachable?.(current) ?? true;
    if (job.interrupted && !job.delayTold) {
      this.#store.markDelayTold(job.requestId);
      if (tellOwner(request)) await this.#quietly(() => this.#events.delayed(request, job));
    }
    const context: JobContext = {
      request,
      job,
      resumed: job.attempts > 1 || job.interrupted,
      signal,
      progress: (progress) => {
        this.#store.setProgress(job.requestId, progress);
        if (tellOwner(request)) void this.#quietly(() => this.#events.progress(request, job, handler.describeProgress(request, progress)));
      },
      checkpoint: {
        read: (schema) => this.#store.readCheckpoint(job.requestId, schema),
        write: (value) => this.#store.writeCheckpoint(job.requestId, value),
      },
    };
    try {
      const summary = await handler.run(context);
      if (signal.aborted) throw signal.reason;
      // The job and its request end together: a crash between the two would leave the request open for good.
      const completed = this.#store.atomically(() => {
        this.#store.finish(job.requestId, 'done', this.#now());
        this.#store.clearWorkingState(job.requestId);
        return this.#requests.transition(request.id, 'completed', BOT);
      });
      if (completed.ok && tellOwner(completed.request))
        await this.#quietly(() => this.#events.completed(completed.request, this.#store.get(job.requestId) ?? job, summary ?? null));
    } catch (error) {
      await this.#settleFailure(handler, job, request, signal, error);
    }
  }

  async #settleFailure(handler: JobHandler, job: Job, request: Request, signal: AbortSignal, error: unknown): Promise<void> {
    if (signal.aborted) {
      const cancelled = this.#requests.get(request.id)?.state === 'cancelled';
      // Stopping leaves the job running in the database: the next start requeues it as interrupted.
      if (cancelled) this.#store.finish(job.requestId, 'cancelled', this.#now());
      return;
    }
    const failure = error instanceof JobFailure ? error : null;
    const description = failure?.description ?? GENERIC_FAILURE;
    this.#log(`job ${request.id} (${handler.kind}) attempt ${job.attempts} failed: ${description}`);
    if ((failure?.retryable ?? true) && job.attempts < handler.maxAttempts) {
      const wait = backoffDelay(job.attempts - 1, this.#retryBaseMs, Math.random);
      this.#store.retryLater(job.requestId, this.#now() + wait, description);
      return;
    }
    const failed = this.#store.atomically(() => {
      this.#store.finish(job.requestId, 'failed', this.#now(), description);
      this.#store.clearWorkingState(job.requestId);
      this.#requests.updateDetail(request.id, (detail) => ({ ...detail, failure: description }));
      return this.#requests.transition(request.id, 'failed', BOT, description);
    });
    if (!failed.ok) return;
    if (handler.failedForGood) await this.#quietly(() => handler.failedForGood!(failed.request, description));
    if (handler.ownerReachable?.(failed.request) ?? true)
      await this.#quietly(() => this.#events.failed(failed.request, this.#store.get(job.requestId) ?? job, description));
  }

  async #quietly(hook: () => Promise<void> | void): Promise<void> {
    try {
      await hook();
    } catch (error) {
      this.#log(`a job notification failed: ${error instanceof Error ? error.name : 'unknown error'}`);
    }
  }
}
