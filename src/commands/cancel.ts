import { code, list, paragraph } from '../render/document.ts';
import { KIND_LABELS } from '../requests/kinds.ts';
import { cancelledNotice } from '../requests/messages.ts';
import { defineCommand } from './command.ts';
import { optional, requestId } from './params.ts';

export const cancel = defineCommand({
  name: 'cancel',
  summary: 'cancel a request of yours that has not been done yet',
  scope: 'personal',
  params: { id: optional(requestId()) },
  run: async ({ sender, eventId, desk }, { id }) => {
    let target = id;
    if (target === undefined) {
      const open = desk.cancellableFor(sender);
      if (open.length === 0) return [paragraph('You have nothing that can still be cancelled. ', code('!status'), ' shows your requests.')];
      if (open.length > 1) {
        return [
          paragraph('Which one? Send ', code('!cancel <request ID>'), ' with one of these:'),
          list(open.map((r) => [code(r.id), ` ${KIND_LABELS[r.kind]}`])),
        ];
      }
      target = open[0]!.id;
    }
    const outcome = await desk.cancel(target, sender, eventId);
    return outcome.ok ? cancelledNotice(outcome.value) : [paragraph(`Nothing was cancelled: ${outcome.problem}. `, code('!status'), ' shows your requests.')];
  },
});
