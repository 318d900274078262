// What a request's owner is told while its job runs: the progress message edited in place
// (at most every few seconds), a note when a restart delayed it, and the outcome.
import type { JobEvents } from '../jobs/runner.ts';
import type { Chat } from '../matrix/chat.ts';
import type { Notifier } from '../notify/notifier.ts';
import { code, type Document, paragraph } from '../render/document.ts';
import { render } from '../render/render.ts';
import { COMPLETED_BY_EDIT, KIND_LABELS } from '../requests/kinds.ts';
import type { Request } from '../requests/request.ts';

/** Edits of one progress message are spaced at least this far apart (clients and servers rate-limit). */
const EDIT_INTERVAL_MS = 3000;

/** How long what a finished job wanted to show waits for a progress message that may never be sent. */
const UNSENT_PROGRESS_KEPT_MS = 10 * 60_000;

export type JobMessageOptions = {
  chat: Chat;
  notifier: Notifier;
  /** The event ID of the request's progress message, once sent. */
  progressEventOf: (requestId: string) => string | null;
  /** Remembers the event ID of a request's progress message. */
  recordProgressEvent: (requestId: string, eventId: string) => void;
  log: (line: string) => void;
};

export type JobMessages = JobEvents & {
  /**
   * The reply that is the request's progress message was sent. A job can get ahead of its
   * reply (it starts as the request is opened, a small one may even finish first): what it
   * wanted to show meanwhile is edited in now.
   */
  progressMessageSent(requestId: string, eventId: string): Promise<void>;
};

export function jobEventsFor({ chat, notifier, progressEventOf, recordProgressEvent, log }: JobMessageOptions): JobMessages {
  const lastEdit = new Map<string, number>();
  /** The latest document of a job whose progress message is not sent yet. */
  const unsent = new Map<string, { request: Request; document: Document }>();
  let edits = 0;

  /** Progress that came too soon after the last edit: shown when the interval is over, unless newer news replaces it. */
  const deferred = new Map<string, { timer: NodeJS.Timeout; latest: { request: Request; document: Document } }>();

  const edit = async (request: Request, document: Document, force: boolean): Promise<void> => {
    const eventId = progressEventOf(request.id);
    if (request.roomId === null) return;
    if (eventId === null) return void unsent.set(request.id, { request, document });
    const now = Date.now();
    const wait = (lastEdit.get(request.id) ?? 0) + EDIT_INTERVAL_MS - now;
    if (!force && wait > 0) {
      const pending = deferred.get(request.id);
      if (pending !== undefined) {
        pending.latest = { request, document };
        return;
      }
      const timer = setTimeout(() => {
        const latest = deferred.get(request.id)?.latest;
        deferred.delete(request.id);
        if (latest !== undefined) edit(latest.request, latest.document, true).catch(() => log(`editing the progress of ${request.id} failed`));
      }, wait);
      timer.unref();
      deferred.set(request.id, { timer, latest: { request, document } });
      return;
    }
    clearTimeout(deferred.get(request.id)?.timer);
    deferred.delete(request.id);
    lastEdit.set(request.id, now);
    await chat.editNotice(request.roomId, eventId, render(document), `progress:${request.id}:${now}:${++edits}`);
  };

  /** A finished job's last document waits a while for its progress message, then is dropped. */
  const finished = (request: Request) => {
    lastEdit.delete(request.id);
    if (unsent.has(request.id)) setTimeout(() => unsent.delete(request.id), UNSENT_PROGRESS_KEPT_MS).unref();
  };

  const tell = async (request: Request, document: Document, key: string) => {
    if (request.roomId === null) return log(`request ${request.id} has no direct chat: its outcome goes to the privacy contact only`);
    await notifier.toRequester(request.roomId, document, key);
  };

  return {
    delayed: (request) =>
      tell(
        request,
        [
          paragraph(
            'Your request ',
            code(request.id),
            ` (${KIND_LABELS[request.kind]}) was interrupted by a restart of the bot. It continues now; you will get one result, not two.`,
          ),
        ],
        `delayed:${request.id}`,
      ),
    progress: async (request, _job, message) => {
      await edit(request, message, false);
    },
    completed: async (request, _job, summary) => {
      const document = summary ?? [paragraph('Your request ', code(request.id), ` (${KIND_LABELS[request.kind]}) is complete.`)];
      try {
        // An edit does not notify: the outcome also arrives as a message of its own, unless the edit
        // only completes an answer. The message goes first: the edit only tidies the progress message
        // up, and on a server that rate-limits the bot (Synapse's rc_message) it would hold the outcome back.
        if (!COMPLETED_BY_EDIT.has(request.kind)) await tell(request, document, `completed:${request.id}`);
        await edit(request, document, true);
      } finally {
        finished(request);
      }
    },
    failed: async (request, _job, description) => {
      const document = [
        paragraph(
          'I could not complete your request ',
          code(request.id),
          ` (${KIND_LABELS[request.kind]}): ${description}. The privacy contact has been told and will follow up with you; you do not need to do anything.`,
        ),
      ];
      try {
        // What an answer completed by edit already says stays as it is.
        if (!COMPLETED_BY_EDIT.has(request.kind)) await edit(request, document, true);
        await tell(request, document, `failed:${request.id}`);
      } finally {
        finished(request);
      }
    },
    progressMessageSent: async (requestId, eventId) => {
      recordProgressEvent(requestId, eventId);
      const waiting = unsent.get(requestId);
      if (waiting === undefined) return;
      unsent.delete(requestId);
      await edit(waiting.request, waiting.document, true);
    },
  };
}
