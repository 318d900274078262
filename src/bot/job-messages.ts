// What a request's owner is told while its job runs: the progress message edited in place
// (at most every few seconds), a note when a restart delayed it, and the outcome.
import type { JobEvents } from '../jobs/runner.ts';
import type { Chat } from '../matrix/chat.ts';
import type { Notifier } from '../notify/notifier.ts';
import { KIND_LABELS } from '../requests/kinds.ts';
import type { Request } from '../requests/request.ts';
import { code, paragraph, type Document } from '../render/document.ts';
import { render } from '../render/render.ts';

/** Edits of one progress message are spaced at least this far apart (clients and servers rate-limit). */
const EDIT_INTERVAL_MS = 3000;

export type JobMessageOptions = {
  chat: Chat;
  notifier: Notifier;
  /** The event ID of the request's progress message, once sent. */
  progressEventOf: (requestId: string) => string | null;
  log: (line: string) => void;
};

export function jobEventsFor({ chat, notifier, progressEventOf, log }: JobMessageOptions): JobEvents {
  const lastEdit = new Map<string, number>();
  let edits = 0;

  const edit = async (request: Request, document: Document, force: boolean) => {
    const eventId = progressEventOf(request.id);
    if (eventId === null || request.roomId === null) return false;
    const now = Date.now();
    if (!force && now - (lastEdit.get(request.id) ?? 0) < EDIT_INTERVAL_MS) return true;
    lastEdit.set(request.id, now);
    await chat.editNotice(request.roomId, eventId, render(document), `progress:${request.id}:${now}:${++edits}`);
    return true;
  };

  const tell = async (request: Request, document: Document, key: string) => {
    if (request.roomId === null) return log(`request ${request.id} has no direct chat: its outcome goes to the privacy contact only`);
    await notifier.toRequester(request.roomId, document, key);
  };

  return {
    delayed: (request) =>
      tell(request, [paragraph('Your request ', code(request.id), ` (${KIND_LABELS[request.kind]}) was interrupted by a restart of the bot. It continues now; you will get one result, not two.`)], `delayed:${request.id}`),
    progress: async (request, _job, message) => {
      await edit(request, message, false);
    },
    completed: async (request, _job, summary) => {
      const document = summary ?? [paragraph('Your request ', code(request.id), ` (${KIND_LABELS[request.kind]}) is complete.`)];
      await edit(request, document, true);
      // An edit does not notify: the outcome also arrives as a message of its own.
      await tell(request, document, `completed:${request.id}`);
    },
    failed: async (request, _job, description) => {
      const document = [
        paragraph(
          'I could not complete your request ',
          code(request.id),
          ` (${KIND_LABELS[request.kind]}): ${description}. The privacy contact has been told and will follow up with you; you do not need to do anything.`,
        ),
      ];
      await edit(request, document, true);
      await tell(request, document, `failed:${request.id}`);
    },
  };
}
