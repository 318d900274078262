// When a request is due, and the one extension the law allows. Pure.
//
// GDPR Art. 12(3): answer within one month of receipt; the controller may extend by two
// further months where necessary, telling the requester why within the first month.
// Singapore's PDPA: answer within 30 days, or tell the requester in writing within those
// 30 days when the answer will come. `policy.responseDays` (at most 30) covers both.
const DAY_MS = 24 * 60 * 60 * 1000;

const EXTENSION_MONTHS = 2;

export const dueDate = (receivedAt: number, responseDays: number): number => receivedAt + responseDays * DAY_MS;

/** The same wall-clock moment `months` calendar months later (UTC), clamped to the month's end. */
export function addMonths(at: number, months: number): number {
  const date = new Date(at);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

export type ExtensionCheck = { ok: true; dueAt: number } | { ok: false; problem: string };

/** Whether a request may be extended now, and its new due date. */
export function extension(request: { dueAt: number; extendedAt: number | null; closedAt: number | null }, now: number): ExtensionCheck {
  if (request.closedAt !== null) return { ok: false, problem: 'it is already closed' };
  if (request.extendedAt !== null) return { ok: false, problem: 'it was already extended once, which is all the law allows' };
  // The requester must be told within the original period: after it, an extension is too late.
  if (now > request.dueAt) return { ok: false, problem: 'its original deadline has passed, and an extension must be announced before it' };
  return { ok: true, dueAt: addMonths(request.dueAt, EXTENSION_MONTHS) };
}

/** Whole days until the deadline, rounded up; negative when overdue. */
export function daysLeft(dueAt: number, now: number): number {
  return Math.ceil((dueAt - now) / DAY_MS);
}

export const DAY = DAY_MS;
