// What differs between kinds of request, beyond the shared state machine. Pure.
import { isClosed, type Request, type RequestKind } from './request.ts';

export const KIND_LABELS: Readonly<Record<RequestKind, string>> = {
  access: 'access (what we store)',
  export: 'export (a copy of your data)',
  erasure: 'erasure (deleting your account)',
  correction: 'correction',
  objection: 'objection',
  contact: 'message to the privacy contact',
};

/** Requests a person handles (the privacy contact), rather than the bot. */
export const HANDLED_BY_PRIVACY_CONTACT: ReadonlySet<RequestKind> = new Set(['correction', 'objection', 'contact']);

/**
 * Kinds whose first answer is already the answer, which their job completes by editing it
 * (!whatdoyouhave's message count): the completion is not sent again as a message of its own,
 * and a failure is told without replacing what the answer already says.
 */
export const COMPLETED_BY_EDIT: ReadonlySet<RequestKind> = new Set(['access']);

export type CancelCheck = { ok: true } | { ok: false; why: string };

/** Whether the requester may still cancel, and if not, why, in words for them. */
export function cancellable(request: Pick<Request, 'kind' | 'state'>): CancelCheck {
  // The rest of an answer already given (!whatdoyouhave's count): nothing to stop.
  if (request.kind === 'access' && !isClosed(request.state)) return { ok: false, why: 'it is being answered right now' };
  switch (request.state) {
    case 'completed':
      return { ok: false, why: 'it is already completed' };
    case 'denied':
      return { ok: false, why: 'it was denied' };
    case 'cancelled':
      return { ok: false, why: 'it is already cancelled' };
    case 'failed':
      return { ok: false, why: 'it has failed and is with the privacy contact' };
    case 'in_progress':
      // An erasure that has started has already removed data: stopping half-way would help nobody.
      if (request.kind === 'erasure') return { ok: false, why: 'the erasure has started and cannot be stopped half-way' };
      return { ok: true };
    default:
      return { ok: true };
  }
}
