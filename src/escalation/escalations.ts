// Escalating a request to the privacy contact (room and mail) with a reminder in the admin
// room, exactly once per request and trigger, however often the checks run.

import type { Notifier } from '../notify/notifier.ts';
import { bold, code, type Document, list, paragraph } from '../render/document.ts';
import { render } from '../render/render.ts';
import { daysLeft } from '../requests/deadlines.ts';
import { KIND_LABELS } from '../requests/kinds.ts';
import { describeState } from '../requests/lifecycle.ts';
import { BOT, type Request } from '../requests/request.ts';
import type { RequestService } from '../requests/requests.ts';
import type { Db } from '../store/database.ts';
import { dueEscalations, type EscalationRules, type Trigger, triggerText } from './triggers.ts';

export type EscalationOptions = { db: Db; requests: RequestService; notifier: Notifier; rules: EscalationRules; now: () => number };

export class Escalations {
  readonly #db: Db;
  readonly #requests: RequestService;
  readonly #notifier: Notifier;
  readonly #rules: EscalationRules;
  readonly #now: () => number;

  constructor(options: EscalationOptions) {
    this.#db = options.db;
    this.#requests = options.requests;
    this.#notifier = options.notifier;
    this.#rules = options.rules;
    this.#now = options.now;
  }

  /** Escalates everything due; returns how many fired now. */
  async check(): Promise<number> {
    const now = this.#now();
    const candidates = [...this.#requests.store.open(), ...this.#failedNotEscalated()];
    let fired = 0;
    for (const { request, trigger } of dueEscalations(candidates, now, this.#rules)) {
      if (await this.escalate(request, trigger)) fired++;
    }
    return fired;
  }

  /** Escalates one request for one trigger, unless that was done before. */
  async escalate(request: Request, trigger: Trigger): Promise<boolean> {
    const now = this.#now();
    const claimed =
      this.#db.prepare('INSERT OR IGNORE INTO escalations (request_id, trigger, at) VALUES (?, ?, ?)').run(request.id, trigger, now).changes === 1;
    if (!claimed) return false;
    this.#requests.record(request.id, BOT, 'escalated', { trigger });
    const key = `escalation:${request.id}:${trigger}`;
    const why = triggerText(trigger, request, now);
    const document = contactDocument(request, why, now);
    await this.#notifier.toPrivacyContact(document, key, { subject: `Privacy request ${request.id} ${why}`, body: render(document).text });
    await this.#notifier.toAdmins(
      [
        paragraph(
          bold('Reminder: '),
          `request ${request.id} (${KIND_LABELS[request.kind]}) ${why}. The privacy contact was told. `,
          code(`!request ${request.id}`),
          ' shows its timeline.',
        ),
      ],
      `${key}:admins`,
    );
    return true;
  }

  #failedNotEscalated(): Request[] {
    const ids = this.#db
      .prepare(
        "SELECT id FROM requests r WHERE state = 'failed' AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.request_id = r.id AND e.trigger = 'failed')",
      )
      .all() as { id: string }[];
    return ids.flatMap(({ id }) => this.#requests.get(id) ?? []);
  }
}

function contactDocument(request: Request, why: string, now: number): Document {
  return [
    paragraph(bold(`Request ${request.id} ${why}.`)),
    list([
      [`Kind: ${KIND_LABELS[request.kind]}`],
      ['Requester: ', code(request.userId)],
      [`State: ${describeState(request.state)}`],
      [
        `Received: ${new Date(request.receivedAt).toISOString().slice(0, 10)}; due ${new Date(request.dueAt).toISOString().slice(0, 10)} (${daysLeft(request.dueAt, now)} day(s) left)`,
      ],
    ]),
    paragraph('Answer the requester with ', code(`!reply ${request.id} <text>`), ' in this room; ', code(`!close ${request.id} [note]`), ' closes it.'),
  ];
}
