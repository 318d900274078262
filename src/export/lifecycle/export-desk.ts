// !export's side of the request lifecycle: a request per command, at most one open export
// per person, one export per person per period (a request within it is refused, and the
// refusal is recorded: GDPR Art. 12(5)), and the job queued. Also what other parts of the
// bot ask of exports: the expiry pass, and deleting a person's exports after an erasure.
import type { BotConfig } from '../../config/load.ts';
import type { JobRunner } from '../../jobs/runner.ts';
import { BOT, isClosed, type Request } from '../../requests/request.ts';
import type { RequestService } from '../../requests/requests.ts';
import { deleteExportsOf, type ExpiryDependencies, expireDueExports } from './expiry.ts';

const HOUR_MS = 60 * 60 * 1000;

export type ExportOutcome =
  | { kind: 'queued'; request: Request; placeInQueue: number | null }
  | { kind: 'open'; request: Request }
  | { kind: 'too-soon'; request: Request; last: Request; nextAt: number };

/** Pure: the export that keeps a person from another one now, and when the next is possible; null when none does. */
export function tooSoonAfter(theirs: readonly Request[], perUserHours: number, now: number): { last: Request; nextAt: number } | null {
  if (perUserHours <= 0) return null;
  // Only an export that was delivered counts: a failed or cancelled one gave the person nothing.
  const last = theirs.filter((r) => r.kind === 'export' && r.state === 'completed').sort((a, b) => b.receivedAt - a.receivedAt)[0];
  if (last === undefined) return null;
  const nextAt = last.receivedAt + perUserHours * HOUR_MS;
  return nextAt > now ? { last, nextAt } : null;
}

export type ExportDeskOptions = {
  config: BotConfig;
  requests: RequestService;
  jobs: JobRunner;
  expiry: ExpiryDependencies;
  /** The pseudonym a person's requests carry once forgotten. */
  pseudonymise: (userId: string) => string;
  now: () => number;
};

export class ExportDesk {
  readonly #o: ExportDeskOptions;

  constructor(options: ExportDeskOptions) {
    this.#o = options;
  }

  /** !export: queued, or the open one named, or refused until a given time. The same command always gets the same outcome. */
  request(userId: string, roomId: string, eventId: string): ExportOutcome {
    const { requests, jobs, config, now } = this.#o;
    const again = requests.store.bySourceEvent(eventId);
    if (again !== null) return this.#outcomeOf(again);
    const theirs = requests.store.forUser(userId);
    const open = theirs.find((r) => r.kind === 'export' && !isClosed(r.state));
    if (open !== undefined) return { kind: 'open', request: open };
    const soon = tooSoonAfter(theirs, config.export.perUserHours, now());
    if (soon !== null) {
      const request = requests.open({
        kind: 'export',
        userId,
        roomId,
        sourceEventId: eventId,
        detail: { previousExport: soon.last.id, nextExportAt: soon.nextAt },
      });
      const reason = `one export per ${config.export.perUserHours} hours; the next is possible from ${new Date(soon.nextAt).toISOString()}`;
      const denied = requests.transition(request.id, 'denied', BOT, reason);
      return { kind: 'too-soon', request: denied.ok ? denied.request : request, ...soon };
    }
    const request = requests.open({ kind: 'export', userId, roomId, sourceEventId: eventId });
    const scheduled = requests.transition(request.id, 'scheduled', BOT);
    if (scheduled.ok) jobs.enqueue(scheduled.request);
    return { kind: 'queued', request: requests.get(request.id)!, placeInQueue: jobs.placeInQueue(request.id) };
  }

  #outcomeOf(request: Request): ExportOutcome {
    const { requests, jobs } = this.#o;
    const previous = typeof request.detail['previousExport'] === 'string' ? requests.get(request.detail['previousExport']) : null;
    const nextAt = request.detail['nextExportAt'];
    if (request.state === 'denied' && previous !== null && typeof nextAt === 'number') return { kind: 'too-soon', request, last: previous, nextAt };
    return { kind: 'queued', request, placeInQueue: jobs.placeInQueue(request.id) };
  }

  /** The maintenance pass: exports whose download window ended are deleted. */
  expireDue(): Promise<number> {
    return expireDueExports(this.#o.expiry);
  }

  /**
   * After an erasure: every export of the person is deleted now, uploads and files. An export
   * still queued or running is cancelled first, so that it never delivers. Call it before the
   * person's requests are forgotten (it also finds them by their pseudonym, afterwards).
   */
  async deleteExportsOf(userId: string): Promise<number> {
    const { requests, jobs, pseudonymise } = this.#o;
    for (const request of requests.store.forUser(userId)) {
      if (request.kind !== 'export' || isClosed(request.state)) continue;
      requests.transition(request.id, 'cancelled', BOT, 'the account was erased');
      jobs.cancel(request.id);
    }
    return deleteExportsOf(this.#o.expiry, [userId, pseudonymise(userId)]);
  }
}
