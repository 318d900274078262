// The request state machine. Pure: the only place that decides whether a request may
// move from one state to another. Everything that changes a state goes through
// `transition`, and the request service (requests.ts) is its only caller.
//
//   received ──► awaiting_confirmation ──► awaiting_approval ──► approved ──► scheduled ──► in_progress ──► completed
//      │                 │                        │                 │            │              │
//      └── (any open state may end as cancelled; decisions end as denied; work ends as failed) ──┘
import { type Actor, isClosed, type Request, type RequestState } from './request.ts';

const ALLOWED: Readonly<Record<RequestState, readonly RequestState[]>> = {
  // Access answers at once; contact requests wait in `received` for the privacy contact;
  // an export is scheduled; an erasure asks for confirmation (or, entered by an admin, approval);
  // a request refused at once (e.g. too soon after the last export) is denied.
  received: ['awaiting_confirmation', 'awaiting_approval', 'scheduled', 'in_progress', 'completed', 'denied', 'cancelled', 'failed'],
  awaiting_confirmation: ['awaiting_approval', 'cancelled'],
  awaiting_approval: ['approved', 'denied', 'cancelled'],
  // Approved work waits for a slot or a cooling-off period (scheduled), or starts at once.
  approved: ['scheduled', 'in_progress', 'cancelled'],
  scheduled: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'failed', 'cancelled'],
  completed: [],
  denied: [],
  cancelled: [],
  failed: [],
};

export const canTransition = (from: RequestState, to: RequestState): boolean => ALLOWED[from].includes(to);

export type TransitionInput = { to: RequestState; actor: Actor; at: number; reason?: string | null };

export type TransitionResult = { ok: true; request: Request } | { ok: false; problem: string };

/** The request after moving to `to`, or why it cannot. Decisions (approve, deny) record who and why. */
export function transition(request: Request, input: TransitionInput): TransitionResult {
  const { to, actor, at } = input;
  if (!canTransition(request.state, to)) {
    return { ok: false, problem: `a request that is ${describeState(request.state)} cannot become ${describeState(to)}` };
  }
  const decision = to === 'approved' || to === 'denied';
  return {
    ok: true,
    request: {
      ...request,
      state: to,
      updatedAt: at,
      closedAt: isClosed(to) ? at : null,
      decidedBy: decision ? actor : request.decidedBy,
      decisionReason: decision ? (input.reason ?? null) : request.decisionReason,
    },
  };
}

const STATE_WORDS: Readonly<Record<RequestState, string>> = {
  received: 'received',
  awaiting_confirmation: 'waiting for your confirmation',
  awaiting_approval: 'waiting for an administrator’s approval',
  approved: 'approved',
  scheduled: 'scheduled',
  in_progress: 'in progress',
  completed: 'completed',
  denied: 'denied',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** The state as a person reads it. */
export const describeState = (state: RequestState): string => STATE_WORDS[state];
