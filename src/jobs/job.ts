// A job: background work that belongs to one request (an export, an erasure).
import { z } from 'zod';
import { RequestKind } from '../requests/request.ts';

const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;

/** What a running job last reported: a phase and counts, for its owner's progress message. */
export const JobProgress = z.object({
  phase: z.string(),
  counts: z.record(z.string(), z.number()).default({}),
});
export type JobProgress = z.infer<typeof JobProgress>;

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .nullable()
    .transform((text) => (text === null ? null : schema.parse(JSON.parse(text))));

export const Job = z.object({
  requestId: z.string(),
  kind: RequestKind,
  state: JobState,
  queuedAt: z.number(),
  notBefore: z.number(),
  attempts: z.number().int(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  interrupted: z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1),
  delayTold: z.union([z.literal(0), z.literal(1)]).transform((v) => v === 1),
  progress: json(JobProgress),
  progressEvent: z.string().nullable(),
  checkpoint: z.string().nullable(),
  error: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

/** A failure the job understands: `description` is safe to show the requester and the admins. */
export class JobFailure extends Error {
  override name = 'JobFailure';
  readonly description: string;
  readonly retryable: boolean;

  constructor(description: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(description, { cause: options.cause });
    this.description = description;
    this.retryable = options.retryable ?? true;
  }
}
