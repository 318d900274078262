// The request desk: what commands ask of the request lifecycle, as operations that keep
// its promises (one request per command, each message sent once, every step audited).
// Commands render; the desk decides and acts.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Verification } from '../audit/chain.ts';
import type { BotConfig } from '../config/load.ts';
import type { Escalations } from '../escalation/escalations.ts';
import type { JobRunner } from '../jobs/runner.ts';
import type { Notifier } from '../notify/notifier.ts';
import { type TransparencyReport, transparencyReport } from '../report/transparency.ts';
import { DAY } from './deadlines.ts';
import { cancellable, HANDLED_BY_PRIVACY_CONTACT } from './kinds.ts';
import { canTransition } from './lifecycle.ts';
import { cancelledNotice, closedByContact, extendedNotice, forwardedToContact, newRequestMail, replyFromContact, type StatusLine } from './messages.ts';
import { BOT, isClosed, REQUESTER, type Request, type RequestKind } from './request.ts';
import type { RequestService } from './requests.ts';

const UNDELIVERABLE = 'the answer could not be delivered to the requester';
const ACCESS_FAILED = 'the homeserver could not be read';

/** Closed requests stay in !status this long. */
const RECENT_MS = 30 * DAY;

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: string };

export type RequestDeskOptions = {
  config: BotConfig;
  requests: RequestService;
  audit: AuditLog;
  jobs: JobRunner;
  escalations: Escalations;
  notifier: Notifier;
  now: () => number;
};

export class RequestDesk {
  readonly requests: RequestService;
  readonly jobs: JobRunner;
  readonly escalations: Escalations;
  readonly notifier: Notifier;
  readonly #audit: AuditLog;
  readonly #config: BotConfig;
  readonly #now: () => number;

  constructor(options: RequestDeskOptions) {
    this.requests = options.requests;
    this.jobs = options.jobs;
    this.escalations = options.escalations;
    this.notifier = options.notifier;
    this.#audit = options.audit;
    this.#config = options.config;
    this.#now = options.now;
  }

  /** !whatdoyouhave: an access request, answered at once (it counts in the transparency report). */
  recordAccess(userId: string, roomId: string, eventId: string, answered: boolean): Request {
    const request = this.requests.open({ kind: 'access', userId, roomId, sourceEventId: eventId });
    if (isClosed(request.state)) return request;
    if (answered) this.requests.transition(request.id, 'completed', BOT);
    else {
      // The reason goes with the escalation that failing brings (bot/composition.ts).
      this.requests.updateDetail(request.id, (detail) => ({ ...detail, failure: ACCESS_FAILED }));
      this.requests.transition(request.id, 'failed', BOT, ACCESS_FAILED);
    }
    return this.requests.get(request.id)!;
  }

  /** !whatdoyouhave, answered in part: an access request whose job counts the messages and completes the answer. */
  openAccess(userId: string, roomId: string, eventId: string): Request {
    const request = this.requests.open({ kind: 'access', userId, roomId, sourceEventId: eventId });
    if (!isClosed(request.state)) this.jobs.enqueue(request);
    return request;
  }

  /** !contact, !correct, !object with a message: a request, and the message relayed to the privacy contact. */
  async relayToPrivacyContact(
    kind: Extract<RequestKind, 'contact' | 'correction' | 'objection'>,
    userId: string,
    roomId: string,
    eventId: string,
    text: string,
  ): Promise<Request> {
    const request = this.requests.open({ kind, userId, roomId, sourceEventId: eventId });
    await this.notifier.toPrivacyContact(forwardedToContact(request, text), `relay:${eventId}`, {
      subject: `New privacy request ${request.id} (${kind})`,
      body: newRequestMail(request, this.#config),
    });
    return request;
  }

  /** !reply: the privacy contact's answer, relayed to the requester; the request is then in progress. */
  async replyToRequester(id: string, staff: string, eventId: string, text: string): Promise<Outcome<Request>> {
    const request = this.requests.get(id);
    if (request === null) return { ok: false, problem: `there is no request ${id}` };
    // A closed request may still need a word (the reason for a denial by reaction, say).
    if (request.roomId === null)
      return { ok: false, problem: `request ${id} has no direct chat to answer in (it was entered by an admin): answer by the channel it came from` };
    await this.notifier.toRequester(request.roomId, replyFromContact(request, text), `reply:${eventId}`);
    this.requests.record(id, staff, 'replied');
    if (request.state === 'received' && HANDLED_BY_PRIVACY_CONTACT.has(request.kind)) this.requests.transition(id, 'in_progress', staff);
    return { ok: true, value: this.requests.get(id)! };
  }

  /** !close: the privacy contact ends a request they handle, with an optional note to the requester. */
  async closeByContact(id: string, staff: string, eventId: string, note: string): Promise<Outcome<Request>> {
    const request = this.requests.get(id);
    if (request === null) return { ok: false, problem: `there is no request ${id}` };
    if (!HANDLED_BY_PRIVACY_CONTACT.has(request.kind)) return { ok: false, problem: `request ${id} is handled by the bot and closes by itself` };
    if (request.state === 'received') this.requests.transition(id, 'in_progress', staff);
    const closed = this.requests.transition(id, 'completed', staff);
    if (!closed.ok) return closed;
    if (request.roomId !== null) await this.notifier.toRequester(request.roomId, closedByContact(closed.request, note), `close:${eventId}`);
    return { ok: true, value: closed.request };
  }

  /** Every request of a person, as the store lists them. */
  requestsOf(userId: string): Request[] {
    return this.requests.store.forUser(userId);
  }

  /** The request a command opened, if it opened one. */
  requestOpenedBy(commandEventId: string): Request | null {
    return this.requests.store.bySourceEvent(commandEventId);
  }

  /** The sender's open requests and those closed recently, with their place in a queue. */
  status(userId: string): StatusLine[] {
    const now = this.#now();
    return this.requestsOf(userId)
      .filter((r) => !isClosed(r.state) || (r.closedAt ?? 0) > now - RECENT_MS)
      .map((request) => ({ request, placeInQueue: this.jobs.placeInQueue(request.id) }));
  }

  /** The requests a requester could cancel now. */
  cancellableFor(userId: string): Request[] {
    return this.requestsOf(userId).filter((r) => cancellable(r).ok);
  }

  /** !cancel: only the requester's own request; someone else's is "not found", never "not yours". */
  async cancel(id: string, userId: string, eventId: string): Promise<Outcome<Request>> {
    const request = this.requests.get(id);
    if (request === null || request.userId !== userId) return { ok: false, problem: `you have no request ${id}` };
    const check = cancellable(request);
    if (!check.ok) return { ok: false, problem: `request ${id} cannot be cancelled: ${check.why}` };
    const cancelled = this.requests.transition(id, 'cancelled', REQUESTER);
    if (!cancelled.ok) return cancelled;
    this.jobs.cancel(id);
    if (HANDLED_BY_PRIVACY_CONTACT.has(request.kind) || request.kind === 'erasure') {
      await this.notifier.toPrivacyContact(cancelledNotice(cancelled.request), `cancel:${eventId}`);
    }
    return { ok: true, value: cancelled.request };
  }

  /** !extend: once, by two months, with a reason the requester is told. */
  async extend(id: string, admin: string, reason: string, eventId: string): Promise<Outcome<Request>> {
    const extended = this.requests.extend(id, admin, reason);
    if (!extended.ok) return { ok: false, problem: `request ${id} cannot be extended: ${extended.problem}` };
    if (extended.request.roomId !== null) await this.notifier.toRequester(extended.request.roomId, extendedNotice(extended.request), `extend:${eventId}`);
    return { ok: true, value: extended.request };
  }

  /**
   * A command whose answer could never be delivered (the bot was kicked from the room, say): the
   * request it opened, if any, fails and is escalated once, instead of being retried forever.
   */
  async failUndeliverable(commandEventId: string): Promise<void> {
    const request = this.requestOpenedBy(commandEventId);
    if (request === null) return;
    if (canTransition(request.state, 'failed')) {
      // Failing escalates it (requests.onChange in bot/composition.ts), with this as the reason.
      this.requests.updateDetail(request.id, (detail) => ({ ...detail, failure: UNDELIVERABLE }));
      this.requests.transition(request.id, 'failed', BOT, UNDELIVERABLE);
      return;
    }
    // Already answered as far as the bot can tell (an access request), or waiting on someone: a person must follow up.
    await this.escalations.escalate(request, 'undeliverable');
  }

  openRequests(): Request[] {
    return this.requests.store.open();
  }

  timeline(id: string) {
    const request = this.requests.get(id);
    return request === null ? null : { request, entries: this.#audit.entriesFor(id) };
  }

  /** Over requests received from `from` to `to`, both UTC days, inclusive. */
  report(from: number, to: number): TransparencyReport {
    return reportFor(this.requests, from, to, this.#now());
  }

  verifyAudit(): Verification {
    return this.#audit.verify();
  }

  get config(): BotConfig {
    return this.#config;
  }
}

export function reportFor(requests: RequestService, from: number, to: number, now: number): TransparencyReport {
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  return transparencyReport(requests.store.receivedBetween(from, to + DAY), { from: day(from), to: day(to) }, now);
}
