// The admins' view of requests, in the admin room: the open ones, one's timeline, extending
// a deadline, the transparency report, and checking the audit trail.

import { bold, code, paragraph } from '../render/document.ts';
import { parseDay, reportDocument } from '../report/transparency.ts';
import { day, requestsDocument, timelineDocument } from '../requests/messages.ts';
import { defineCommand } from './command.ts';
import { day as dayParam, keyword, optional, requestId } from './params.ts';

export const requests = defineCommand({
  name: 'requests',
  summary: 'open requests, most urgent first',
  scope: 'admin',
  run: async ({ desk, now }) => requestsDocument(desk.openRequests(), now()),
});

export const request = defineCommand({
  name: 'request',
  summary: 'one request’s whole timeline',
  scope: 'admin',
  params: { id: requestId() },
  run: async ({ desk, now }, { id }) => {
    const found = desk.timeline(id);
    return found === null ? [paragraph(`There is no request ${id}.`)] : timelineDocument(found.request, found.entries, now());
  },
});

export const extend = defineCommand({
  name: 'extend',
  summary: 'extend a deadline once by two months (GDPR Art. 12(3)); the requester is told the reason',
  scope: 'admin',
  params: { id: requestId() },
  text: { label: 'reason', required: true },
  run: async ({ desk, sender, eventId, text }, { id }) => {
    const outcome = await desk.extend(id, sender, await text(), eventId);
    if (!outcome.ok) return [paragraph(`Not extended: ${outcome.problem}.`)];
    return [paragraph(`Request `, code(id), ` is now due ${day(outcome.value.dueAt)}. The requester was told the reason.`)];
  },
});

export const report = defineCommand({
  name: 'report',
  summary: 'the transparency report: counts per kind and outcome, time to completion, late requests (no identities)',
  scope: 'admin',
  params: { from: optional(dayParam('from (YYYY-MM-DD)')), to: optional(dayParam('to (YYYY-MM-DD)')) },
  run: async ({ desk, now }, args) => {
    const today = new Date(now()).toISOString().slice(0, 10);
    const from = parseDay(args.from ?? `${today.slice(0, 4)}-01-01`)!;
    const to = parseDay(args.to ?? today)!;
    if (from > to) return [paragraph('The report’s start date is after its end date.')];
    return reportDocument(desk.report(from, to));
  },
});

export const audit = defineCommand({
  name: 'audit',
  summary: 'check that the audit trail is complete and unchanged',
  scope: 'admin',
  params: { action: keyword('verify') },
  run: async ({ desk }) => {
    const result = desk.verifyAudit();
    if (result.ok) {
      return [
        paragraph(
          bold('The audit trail is intact: '),
          `${result.entries} entries`,
          ...(result.head ? [', the last one ', code(String(result.head.seq)), ' with SHA-256 ', code(result.head.hash)] : []),
          '.',
        ),
      ];
    }
    return [
      paragraph(bold(`The audit trail is broken at entry ${result.firstBroken}: `), `${result.problem}. Keep the database file as it is and investigate.`),
    ];
  },
});
