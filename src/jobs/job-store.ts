// Jobs in SQLite (table `jobs`): one per request, a FIFO queue per kind.
import type { z } from 'zod';
import type { RequestKind } from '../requests/request.ts';
import type { Db } from '../store/database.ts';
import { Job, type JobProgress, type JobState } from './job.ts';

const COLUMNS = `request_id AS requestId, kind, state, queued_at AS queuedAt, not_before AS notBefore, attempts,
  started_at AS startedAt, finished_at AS finishedAt, interrupted, delay_told AS delayTold, progress,
  progress_event AS progressEvent, checkpoint, error`;

export class JobStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Runs `work` in one transaction: a crash leaves all of it or none (with the request's own changes, which share the database). */
  atomically<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  get(requestId: string): Job | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE request_id = ?`).get(requestId);
    return row === undefined ? null : Job.parse(row);
  }

  /** Queues a job; a request has at most one, so queuing again is a no-op. */
  enqueue(requestId: string, kind: RequestKind, now: number, notBefore = now): void {
    this.#db
      .prepare('INSERT OR IGNORE INTO jobs (request_id, kind, state, queued_at, not_before) VALUES (?, ?, ?, ?, ?)')
      .run(requestId, kind, 'queued', now, notBefore);
  }

  /**
   * Jobs left running by a bot that stopped: queued again, marked interrupted. The attempt that
   * was cut short is not counted: restarts must not use up the retries a job has for failures.
   */
  requeueInterrupted(): number {
    return this.#db.prepare("UPDATE jobs SET state = 'queued', interrupted = 1, attempts = MAX(attempts - 1, 0) WHERE state = 'running'").run().changes;
  }

  /** The oldest queued job of a kind that may start now, claimed as running. */
  claimNext(kind: RequestKind, now: number): Job | null {
    return this.#db.transaction(() => {
      const row = this.#db
        .prepare(`SELECT request_id AS requestId FROM jobs WHERE kind = ? AND state = 'queued' AND not_before <= ? ORDER BY queued_at, request_id LIMIT 1`)
        .get(kind, now) as { requestId: string } | undefined;
      if (row === undefined) return null;
      this.#db.prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ? WHERE request_id = ?").run(now, row.requestId);
      return this.get(row.requestId);
    })();
  }

  /** The earliest moment a queued job becomes ready, or null when none waits. */
  nextReadyAt(): number | null {
    const row = this.#db.prepare("SELECT MIN(not_before) AS at FROM jobs WHERE state = 'queued'").get() as { at: number | null };
    return row.at;
  }

  /** 1 for the next job of its kind to start, 2 for the one after ...; null when not queued. */
  placeInQueue(requestId: string): number | null {
    const job = this.get(requestId);
    if (job === null || job.state !== 'queued') return null;
    const ahead = this.#db
      .prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = ? AND state = 'queued' AND (queued_at < ? OR (queued_at = ? AND request_id < ?))")
      .get(job.kind, job.queuedAt, job.queuedAt, job.requestId) as { n: number };
    return ahead.n + 1;
  }

  finish(requestId: string, state: Extract<JobState, 'done' | 'failed' | 'cancelled'>, now: number, error: string | null = null): void {
    this.#db.prepare('UPDATE jobs SET state = ?, finished_at = ?, error = ? WHERE request_id = ?').run(state, now, error, requestId);
  }

  retryLater(requestId: string, notBefore: number, error: string): void {
    this.#db.prepare("UPDATE jobs SET state = 'queued', not_before = ?, error = ? WHERE request_id = ?").run(notBefore, error, requestId);
  }

  setProgress(requestId: string, progress: JobProgress): void {
    this.#db.prepare('UPDATE jobs SET progress = ? WHERE request_id = ?').run(JSON.stringify(progress), requestId);
  }

  setProgressEvent(requestId: string, eventId: string): void {
    this.#db.prepare('UPDATE jobs SET progress_event = ? WHERE request_id = ?').run(eventId, requestId);
  }

  markDelayTold(requestId: string): void {
    this.#db.prepare('UPDATE jobs SET delay_told = 1 WHERE request_id = ?').run(requestId);
  }

  readCheckpoint<T extends z.ZodType>(requestId: string, schema: T): z.output<T> | null {
    const text = this.get(requestId)?.checkpoint ?? null;
    return text === null ? null : schema.parse(JSON.parse(text));
  }

  writeCheckpoint(requestId: string, value: unknown): void {
    this.#db.prepare('UPDATE jobs SET checkpoint = ? WHERE request_id = ?').run(JSON.stringify(value), requestId);
  }

  /** Forgets a finished job's resumable state and progress (they may name things about the user). */
  clearWorkingState(requestId: string): void {
    this.#db.prepare('UPDATE jobs SET checkpoint = NULL, progress = NULL WHERE request_id = ?').run(requestId);
  }
}
