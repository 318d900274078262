// The request service: opening requests, moving them through the state machine, extending
// deadlines. Each change and its audit entry are written in one SQLite transaction. The
// data subject appears in the audit trail only as a pseudonym.
import type { AuditLog } from '../audit/audit-log.ts';
import type { Db } from '../store/database.ts';
import { dueDate, extension } from './deadlines.ts';
import { type TransitionResult, transition } from './lifecycle.ts';
import type { Pseudonymise } from './pseudonym.ts';
import { type Actor, REQUESTER, type Request, type RequestDetail, type RequestKind, type RequestState } from './request.ts';
import { newRequestId } from './request-id.ts';
import { RequestStore } from './request-store.ts';

export type OpenInput = {
  kind: RequestKind;
  userId: string;
  /** Where answers go: the requester's direct chat. */
  roomId: string | null;
  /** The command that opened it: opening again from the same event returns the same request. */
  sourceEventId: string | null;
  /** An admin entering a request received by email or post. */
  enteredBy?: string | null;
  detail?: RequestDetail;
};

export type Change = { request: Request; from: RequestState | null; actor: Actor };
export type ChangeListener = (change: Change) => void;

export type RequestServiceOptions = {
  db: Db;
  audit: AuditLog;
  pseudonymise: Pseudonymise;
  responseDays: number;
  now: () => number;
  newId?: () => string;
};

export class RequestService {
  readonly store: RequestStore;
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #pseudonymise: Pseudonymise;
  readonly #responseDays: number;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #listeners: ChangeListener[] = [];

  constructor(options: RequestServiceOptions) {
    this.#db = options.db;
    this.store = new RequestStore(options.db);
    this.#audit = options.audit;
    this.#pseudonymise = options.pseudonymise;
    this.#responseDays = options.responseDays;
    this.#now = options.now;
    this.#newId = options.newId ?? newRequestId;
  }

  /** Called after every committed change (opening included), e.g. to escalate a failure. */
  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  get(id: string): Request | null {
    return this.store.get(id);
  }

  /** Opens a request in `received`; idempotent per source event. */
  open(input: OpenInput): Request {
    const existing = input.sourceEventId === null ? null : this.store.bySourceEvent(input.sourceEventId);
    if (existing !== null) return existing;
    const at = this.#now();
    const request: Request = {
      id: this.#freshId(),
      kind: input.kind,
      state: 'received',
      userId: input.userId,
      roomId: input.roomId,
      sourceEventId: input.sourceEventId,
      enteredBy: input.enteredBy ?? null,
      receivedAt: at,
      dueAt: dueDate(at, this.#responseDays),
      updatedAt: at,
      closedAt: null,
      extendedAt: null,
      extensionReason: null,
      decidedBy: null,
      decisionReason: null,
      detail: input.detail ?? {},
      pseudonymisedAt: null,
    };
    const actor = input.enteredBy ?? REQUESTER;
    this.#db.transaction(() => {
      this.store.insert(request);
      this.#audit.append({
        at,
        requestId: request.id,
        actor,
        action: 'opened',
        detail: { kind: request.kind, subject: this.#pseudonymise(request.userId), dueAt: request.dueAt },
      });
    })();
    this.#emit({ request, from: null, actor });
    return request;
  }

  /** Moves a request to another state, if the state machine allows it. */
  transition(id: string, to: RequestState, actor: Actor, reason?: string | null): TransitionResult {
    let from: RequestState | null = null;
    const result = this.#db.transaction((): TransitionResult => {
      const current = this.store.get(id);
      if (current === null) return { ok: false, problem: `there is no request ${id}` };
      from = current.state;
      const moved = transition(current, { to, actor, at: this.#now(), reason: reason ?? null });
      if (!moved.ok) return moved;
      this.store.update(moved.request);
      this.#audit.append({
        at: moved.request.updatedAt,
        requestId: id,
        actor,
        action: 'state',
        detail: { from: current.state, to, ...(reason ? { reason } : {}) },
      });
      return moved;
    })();
    if (result.ok) this.#emit({ request: result.request, from, actor });
    return result;
  }

  /** Extends the deadline once by two months (GDPR Art. 12(3)), with the reason the requester is told. */
  extend(id: string, actor: Actor, reason: string): TransitionResult {
    return this.#db.transaction((): TransitionResult => {
      const current = this.store.get(id);
      if (current === null) return { ok: false, problem: `there is no request ${id}` };
      const at = this.#now();
      const check = extension(current, at);
      if (!check.ok) return { ok: false, problem: check.problem };
      const request: Request = { ...current, dueAt: check.dueAt, extendedAt: at, extensionReason: reason };
      this.store.update(request);
      this.#audit.append({ at, requestId: id, actor, action: 'extended', detail: { from: current.dueAt, to: check.dueAt, reason } });
      return { ok: true, request };
    })();
  }

  /** Changes kind-specific facts; `action`, when given, is recorded in the audit trail. */
  updateDetail(
    id: string,
    change: (detail: RequestDetail) => RequestDetail,
    audit?: { actor: Actor; action: string; detail?: Record<string, unknown> },
  ): Request | null {
    return this.#db.transaction(() => {
      const current = this.store.get(id);
      if (current === null) return null;
      const request = { ...current, detail: change(current.detail) };
      this.store.update(request);
      if (audit) this.#audit.append({ at: this.#now(), requestId: id, actor: audit.actor, action: audit.action, detail: audit.detail ?? {} });
      return request;
    })();
  }

  /** Records something that happened to a request without changing it (a relayed reply, an escalation). */
  record(id: string, actor: Actor, action: string, detail: Record<string, unknown> = {}): void {
    this.#audit.append({ at: this.#now(), requestId: id, actor, action, detail });
  }

  #emit(change: Change): void {
    for (const listener of this.#listeners) listener(change);
  }

  #freshId(): string {
    for (let attempt = 0; attempt < 100; attempt++) {
      const id = this.#newId();
      if (!this.store.exists(id)) return id;
    }
    throw new Error('could not find a free request ID');
  }
}
