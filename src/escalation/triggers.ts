// When a request needs a human's attention. Pure: open (and failed) requests and the
// clock in, the escalations that are due out. Each fires once per request and trigger:
// escalations.ts remembers which have.
import { DAY, daysLeft } from '../requests/deadlines.ts';
import { isClosed, type Request } from '../requests/request.ts';

const TRIGGERS = ['awaiting-approval', 'due-soon', 'overdue', 'failed', 'undeliverable'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export type EscalationRules = {
  /** An erasure waiting for an admin longer than this is escalated. */
  awaitingApprovalHours: number;
  /** An open request due within this many days is escalated. */
  dueWithinDays: number;
};

export type Due = { request: Request; trigger: Trigger };

export function dueEscalations(requests: readonly Request[], now: number, rules: EscalationRules): Due[] {
  const due: Due[] = [];
  for (const request of requests) {
    if (request.state === 'failed') {
      due.push({ request, trigger: 'failed' });
      continue;
    }
    if (isClosed(request.state)) continue;
    if (request.state === 'awaiting_approval' && now - request.updatedAt >= rules.awaitingApprovalHours * 3_600_000) {
      due.push({ request, trigger: 'awaiting-approval' });
    }
    // A request waiting for its requester's confirmation is not yet the operator's to answer.
    if (request.state === 'awaiting_confirmation') continue;
    if (now > request.dueAt) due.push({ request, trigger: 'overdue' });
    else if (request.dueAt - now <= rules.dueWithinDays * DAY) due.push({ request, trigger: 'due-soon' });
  }
  return due;
}

/** Why the privacy contact hears about it, in one line. */
export function triggerText(trigger: Trigger, request: Request, now: number): string {
  switch (trigger) {
    case 'awaiting-approval':
      return `has been waiting for an administrator’s approval since ${new Date(request.updatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    case 'due-soon':
      return `is due in ${daysLeft(request.dueAt, now)} day(s) and is not finished`;
    case 'overdue':
      return `is past its due date by ${-daysLeft(request.dueAt, now)} day(s)`;
    case 'failed':
      return `failed${request.detail.failure ? `: ${request.detail.failure}` : ''}`;
    case 'undeliverable':
      return 'could not be answered: the bot’s reply could not be delivered to the requester';
  }
}
