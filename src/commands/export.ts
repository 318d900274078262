// !export: a copy of everything the server holds about the sender, made in the background and
// delivered here as zip files; the answer is the progress message the job keeps editing.
import { exportAlreadyOpen, exportQueued, exportTooSoon } from '../export/lifecycle/messages.ts';
import { defineCommand } from './command.ts';

export const exportData = defineCommand({
  name: 'export',
  summary: 'a copy of all your data, as zip files sent here, that you can open in any browser',
  scope: 'personal',
  run: async ({ sender, roomId, eventId, exports, config }) => {
    const outcome = exports.request(sender, roomId, eventId);
    switch (outcome.kind) {
      case 'queued':
        return { document: exportQueued(outcome.request, outcome.placeInQueue), progressOf: outcome.request.id };
      case 'open':
        return exportAlreadyOpen(outcome.request);
      case 'too-soon':
        return exportTooSoon(outcome.request, outcome.last, outcome.nextAt, config.export.perUserHours, config);
    }
  },
});
