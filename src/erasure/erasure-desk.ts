// The erasure's way to approval: the requester's confirmation code, an admin's entry of a
// request received outside Matrix, approvals (four eyes where configured), denial with a
// reason, and the cooling-off period before the job may start.
import type { BotConfig } from '../config/load.ts';
import type { JobRunner } from '../jobs/runner.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Block } from '../render/document.ts';
import { BOT, isClosed, REQUESTER, type Request } from '../requests/request.ts';
import type { RequestService } from '../requests/requests.ts';
import { addApproval } from './approval.ts';
import { checkCode, newConfirmation } from './confirmation.ts';
import { approvalRequest, approvedNotice, deniedNotice } from './messages.ts';
import type { ErasureSummary } from './summary.ts';

export type Begun = { kind: 'code'; request: Request; code: string } | { kind: 'open'; request: Request };

export type Confirmed =
  | { kind: 'confirmed'; request: Request }
  | { kind: 'wrong'; attemptsLeft: number }
  | { kind: 'exhausted' }
  | { kind: 'expired' }
  | { kind: 'nothing-to-confirm' };

export type Decided =
  | { kind: 'approved'; request: Request; startsAt: number }
  | { kind: 'needs-another'; request: Request }
  | { kind: 'already-counted' }
  | { kind: 'denied'; request: Request }
  | { kind: 'refused'; problem: string };

export type ErasureDeskOptions = {
  config: BotConfig;
  requests: RequestService;
  jobs: JobRunner;
  notifier: Notifier;
  now: () => number;
  /** What the erasure would do in each of the person's rooms, read live, for the approval message (room-preview.ts). */
  previewRooms?: (userId: string) => Promise<Block[]>;
};

export class ErasureDesk {
  readonly #o: ErasureDeskOptions;

  constructor(options: ErasureDeskOptions) {
    this.#o = options;
  }

  /** The requester's open erasure, if any. */
  openFor(userId: string): Request | null {
    return this.#o.requests.store.forUser(userId).find((r) => r.kind === 'erasure' && !isClosed(r.state)) ?? null;
  }

  /** !delete: a new request waiting for its code, or a fresh code for the one that waits. */
  begin(userId: string, roomId: string, eventId: string, summary: ErasureSummary): Begun {
    const { requests, now } = this.#o;
    const existing = this.openFor(userId);
    if (existing !== null && existing.state !== 'awaiting_confirmation') return { kind: 'open', request: existing };
    const request = existing ?? requests.open({ kind: 'erasure', userId, roomId, sourceEventId: eventId, detail: { summary } });
    if (request.state === 'received') requests.transition(request.id, 'awaiting_confirmation', REQUESTER);
    const { code, confirmation } = newConfirmation(request.id, now());
    const updated = requests.updateDetail(request.id, (detail) => ({ ...detail, confirmation, summary }), { actor: REQUESTER, action: 'code-sent' })!;
    return { kind: 'code', request: updated, code };
  }

  /** !delete confirm <code>. */
  async confirm(userId: string, attempt: string): Promise<Confirmed> {
    const { requests, now } = this.#o;
    const request = this.openFor(userId);
    const confirmation = request?.detail.confirmation;
    if (request === null || request.state !== 'awaiting_confirmation' || confirmation === undefined) return { kind: 'nothing-to-confirm' };
    const check = checkCode(confirmation, request.id, attempt, now());
    switch (check.kind) {
      case 'wrong':
        requests.updateDetail(request.id, (detail) => ({ ...detail, confirmation: check.confirmation }), { actor: REQUESTER, action: 'wrong-code' });
        return { kind: 'wrong', attemptsLeft: check.confirmation.attemptsLeft };
      case 'exhausted':
      case 'expired':
        requests.transition(request.id, 'cancelled', BOT, check.kind === 'expired' ? 'the confirmation code expired' : 'too many wrong confirmation codes');
        return { kind: check.kind };
      case 'confirmed': {
        requests.updateDetail(request.id, ({ confirmation: _used, ...detail }) => detail);
        const moved = requests.transition(request.id, 'awaiting_approval', REQUESTER);
        if (!moved.ok) return { kind: 'nothing-to-confirm' };
        await this.#askAdmins(moved.request);
        return { kind: 'confirmed', request: moved.request };
      }
    }
  }

  /** !erase: an admin enters a request received by email or post; it waits for approval at once. */
  async enter(admin: string, userId: string, eventId: string, summary: ErasureSummary): Promise<Begun> {
    const { requests } = this.#o;
    const existing = this.openFor(userId);
    if (existing !== null) return { kind: 'open', request: existing };
    const request = requests.open({ kind: 'erasure', userId, roomId: null, sourceEventId: eventId, enteredBy: admin, detail: { summary } });
    const moved = requests.transition(request.id, 'awaiting_approval', admin);
    if (moved.ok) await this.#askAdmins(moved.request);
    return { kind: 'open', request: requests.get(request.id)! };
  }

  /** !approve, or ✅ on the admin room message. */
  async approve(id: string, admin: string): Promise<Decided> {
    const { requests, jobs, notifier, config, now } = this.#o;
    const request = requests.get(id);
    if (request === null || request.kind !== 'erasure') return { kind: 'refused', problem: `there is no erasure request ${id}` };
    // The same approval again (a command answered after a restart: it had taken effect, its answer had not gone out) says the same.
    const coolingOffUntil = request.detail.coolingOffUntil;
    if (request.state !== 'awaiting_approval' && !isClosed(request.state) && coolingOffUntil !== undefined && request.detail.approvals?.includes(admin)) {
      return { kind: 'approved', request, startsAt: coolingOffUntil };
    }
    if (request.state !== 'awaiting_approval')
      return { kind: 'refused', problem: `request ${id} is not waiting for approval (it is ${request.state.replace(/_/g, ' ')})` };
    const outcome = addApproval({ enteredBy: request.enteredBy, approvals: request.detail.approvals ?? [] }, admin, config.erasure.fourEyes);
    if (outcome.kind === 'already-counted') return outcome;
    requests.updateDetail(id, (detail) => ({ ...detail, approvals: outcome.approvals }), { actor: admin, action: 'approval' });
    if (outcome.kind === 'needs-another') return { kind: 'needs-another', request: requests.get(id)! };

    const approved = requests.transition(id, 'approved', admin);
    if (!approved.ok) return { kind: 'refused', problem: approved.problem };
    const startsAt = now() + config.erasure.coolingOffHours * 3_600_000;
    requests.updateDetail(id, (detail) => ({ ...detail, coolingOffUntil: startsAt }));
    const scheduled = requests.transition(id, 'scheduled', BOT);
    if (!scheduled.ok) return { kind: 'refused', problem: scheduled.problem };
    if (scheduled.request.roomId !== null) await notifier.toRequester(scheduled.request.roomId, approvedNotice(scheduled.request, startsAt), `approved:${id}`);
    jobs.enqueue(scheduled.request, startsAt);
    return { kind: 'approved', request: scheduled.request, startsAt };
  }

  /** !deny <id> <reason>, or ❌ on the admin room message. */
  async deny(id: string, admin: string, reason: string): Promise<Decided> {
    const { requests, notifier, config } = this.#o;
    const request = requests.get(id);
    if (request === null || request.kind !== 'erasure') return { kind: 'refused', problem: `there is no erasure request ${id}` };
    const denied = requests.transition(id, 'denied', admin, reason);
    if (!denied.ok) return { kind: 'refused', problem: `request ${id} cannot be denied now: ${denied.problem}` };
    if (denied.request.roomId !== null) await notifier.toRequester(denied.request.roomId, deniedNotice(denied.request, config), `denied:${id}`);
    return { kind: 'denied', request: denied.request };
  }

  /** The request whose admin room message this is (reactions decide on it). */
  byApprovalEvent(eventId: string): Request | null {
    return this.#o.requests.store.open().find((r) => r.kind === 'erasure' && r.detail.approvalEvent === eventId) ?? null;
  }

  /** Erasures whose code ran out unused are cancelled (maintenance). */
  expireConfirmations(): number {
    const { requests, now } = this.#o;
    const stale = requests.store.open().filter((r) => r.state === 'awaiting_confirmation' && (r.detail.confirmation?.expiresAt ?? 0) < now());
    for (const r of stale) requests.transition(r.id, 'cancelled', BOT, 'the confirmation code expired');
    return stale.length;
  }

  async #askAdmins(request: Request): Promise<void> {
    const { notifier, requests, config } = this.#o;
    const summary = request.detail.summary;
    if (summary === undefined) return;
    const rooms = this.#o.previewRooms === undefined ? [] : await this.#o.previewRooms(request.userId);
    const eventId = await notifier.toAdmins(approvalRequest(request, summary, config.erasure.fourEyes, rooms), `approval:${request.id}`);
    if (eventId !== null) requests.updateDetail(request.id, (detail) => ({ ...detail, approvalEvent: eventId }));
  }
}
