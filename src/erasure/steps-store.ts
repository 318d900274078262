// The erasure's steps in SQLite (table erasure_steps): each is recorded as started before
// it runs and as done, with its counts, after. A started step that is not done was
// interrupted: it runs again (steps are idempotent); a done step never runs again.
import { z } from 'zod';
import type { Db } from '../store/database.ts';
import type { StepName } from './plan.ts';

export const StepResult = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]));
export type StepResult = z.infer<typeof StepResult>;

const Row = z.object({
  step: z.string(),
  state: z.enum(['started', 'done']),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  attempts: z.number().int(),
  result: z
    .string()
    .nullable()
    .transform((text) => (text === null ? null : StepResult.parse(JSON.parse(text)))),
});
export type StepRecord = z.infer<typeof Row>;

export class ErasureSteps {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  all(requestId: string): StepRecord[] {
    return z
      .array(Row)
      .parse(
        this.#db
          .prepare(
            'SELECT step, state, started_at AS startedAt, finished_at AS finishedAt, attempts, result FROM ' +
              'erasure_steps WHERE request_id = ? ORDER BY started_at, rowid',
          )
          .all(requestId),
      );
  }

  get(requestId: string, step: StepName): StepRecord | null {
    return this.all(requestId).find((r) => r.step === step) ?? null;
  }

  started(requestId: string, step: StepName, now: number): void {
    this.#db
      .prepare(
        `INSERT INTO erasure_steps (request_id, step, state, started_at) VALUES (?, ?, 'started', ?)
         ON CONFLICT (request_id, step) DO UPDATE SET attempts = attempts + 1`,
      )
      .run(requestId, step, now);
  }

  done(requestId: string, step: StepName, now: number, result: StepResult): void {
    this.#db
      .prepare("UPDATE erasure_steps SET state = 'done', finished_at = ?, result = ? WHERE request_id = ? AND step = ?")
      .run(now, JSON.stringify(result), requestId, step);
  }
}
