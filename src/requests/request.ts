// What a data-subject request is: its kind, its state, its deadlines and who decided.
// The schemas are the only types; rows from SQLite are parsed with them.
import { z } from 'zod';
import { ErasureSummary } from '../erasure/summary.ts';

export const REQUEST_KINDS = ['access', 'export', 'erasure', 'correction', 'objection', 'contact'] as const;
export const RequestKind = z.enum(REQUEST_KINDS);
export type RequestKind = z.infer<typeof RequestKind>;

export const REQUEST_STATES = [
  'received',
  'awaiting_confirmation',
  'awaiting_approval',
  'approved',
  'scheduled',
  'in_progress',
  'completed',
  'denied',
  'cancelled',
  'failed',
] as const;
export const RequestState = z.enum(REQUEST_STATES);
export type RequestState = z.infer<typeof RequestState>;

/** A request in one of these states is over: nothing more happens to it. */
const CLOSED_STATES: ReadonlySet<RequestState> = new Set(['completed', 'denied', 'cancelled', 'failed']);
export const isClosed = (state: RequestState): boolean => CLOSED_STATES.has(state);

/** Who made something happen: the data subject, a named admin or privacy contact, or the bot itself. */
export const REQUESTER = 'requester';
export const BOT = 'bot';
export type Actor = typeof REQUESTER | typeof BOT | string;

/** Kind-specific facts a request keeps (never message text). Checked when read back. */
export const RequestDetail = z
  .object({
    /** An erasure's confirmation code (a hash of it), its expiry and the attempts left. */
    confirmation: z.object({ codeHash: z.string(), expiresAt: z.number(), attemptsLeft: z.number().int() }).optional(),
    /** Admins who approved (four-eyes erasure needs two). */
    approvals: z.array(z.string()).optional(),
    /** What an erasure will remove, in counts, for the admins' decision. */
    summary: ErasureSummary.optional(),
    /** The admin room message asking for a decision: reactions on it decide too. */
    approvalEvent: z.string().optional(),
    /** When a cooling-off period ends. */
    coolingOffUntil: z.number().optional(),
    /** A short, non-personal description of why it failed. */
    failure: z.string().optional(),
  })
  .loose();
export type RequestDetail = z.infer<typeof RequestDetail>;

export const Request = z.object({
  id: z.string(),
  kind: RequestKind,
  state: RequestState,
  /** The requester's Matrix ID; a keyed pseudonym once the request has been purged. */
  userId: z.string(),
  /** The requester's direct chat with the bot; null once purged or when entered by an admin. */
  roomId: z.string().nullable(),
  sourceEventId: z.string().nullable(),
  enteredBy: z.string().nullable(),
  receivedAt: z.number(),
  dueAt: z.number(),
  /** When the state last changed (not when details did): escalations count from it. */
  updatedAt: z.number(),
  closedAt: z.number().nullable(),
  extendedAt: z.number().nullable(),
  extensionReason: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
  detail: RequestDetail,
  pseudonymisedAt: z.number().nullable(),
});
export type Request = z.infer<typeof Request>;
