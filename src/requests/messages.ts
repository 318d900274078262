// What the bot says about requests, as Documents. Pure.

import type { AuditEntry } from '../audit/chain.ts';
import type { BotConfig } from '../config/load.ts';
import { bold, code, type Document, type Inline, link, list, paragraph } from '../render/document.ts';
import { daysLeft } from './deadlines.ts';
import { KIND_LABELS } from './kinds.ts';
import { describeState } from './lifecycle.ts';
import { isClosed, type Request } from './request.ts';

export const day = (at: number): string => new Date(at).toISOString().slice(0, 10);
export const minute = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const contactInline = (config: BotConfig): Inline[] => [
  link(config.privacyContact.email, `mailto:${config.privacyContact.email}`),
  ' or the room ',
  code(config.privacyContact.room),
];

function deadline(request: Request, now: number): string {
  if (isClosed(request.state)) return `${describeState(request.state)} on ${day(request.closedAt ?? request.updatedAt)}`;
  const left = daysLeft(request.dueAt, now);
  return `${describeState(request.state)}, due ${day(request.dueAt)} (${left < 0 ? `${-left} day(s) late` : `${left} day(s) left`})`;
}

export type StatusLine = { request: Request; placeInQueue: number | null };

export function statusDocument(lines: readonly StatusLine[], now: number, config: BotConfig): Document {
  if (lines.length === 0) {
    return [paragraph('You have no open or recent requests. Send ', code('!help'), ' to see what you can ask for.')];
  }
  return [
    paragraph(bold('Your requests:')),
    list(
      lines.map(({ request, placeInQueue }): Inline[] => [
        code(request.id),
        ` ${KIND_LABELS[request.kind]}: ${deadline(request, now)}`,
        placeInQueue === null ? '' : `; number ${placeInQueue} in the queue`,
        request.extensionReason === null ? '' : `; extended because: ${request.extensionReason}`,
        request.state === 'denied' && request.decisionReason ? `; reason: ${request.decisionReason}` : '',
      ]),
    ),
    paragraph('Cancel one with ', code('!cancel <request ID>'), '. Anything late or wrong: write to the privacy contact, ', ...contactInline(config), '.'),
  ];
}

export const relayedToContact = (request: Request, config: BotConfig): Document => [
  paragraph(
    `I passed your message to the privacy contact as request `,
    code(request.id),
    ` (${KIND_LABELS[request.kind]}). I keep only the request, not your words. The answer comes here, by ${day(request.dueAt)} at the latest (${config.policy.responseDays} days). `,
    code('!status'),
    ' shows where it stands; ',
    code(`!cancel ${request.id}`),
    ' withdraws it.',
  ),
];

export const forwardedToContact = (request: Request, text: string): Document => [
  paragraph(bold(`New request ${request.id}`), ` (${KIND_LABELS[request.kind]}) from `, code(request.userId), `, due ${day(request.dueAt)}:`),
  paragraph(text),
  paragraph('Answer with ', code(`!reply ${request.id} <text>`), '; ', code(`!close ${request.id} [note]`), ' closes it. I relay, I do not keep the text.'),
];

/** The mail about a new request: where to read it, never what it says. */
export const newRequestMail = (request: Request, config: BotConfig): string =>
  [
    `New privacy request ${request.id} (${KIND_LABELS[request.kind]}) from ${request.userId}, due ${day(request.dueAt)}.`,
    '',
    `Read it and answer it in the Matrix room ${config.privacyContact.room} (the bot does not mail or keep what the requester wrote).`,
  ].join('\n');

export const replyFromContact = (request: Request, text: string): Document => [
  paragraph(bold(`The privacy contact answers your request ${request.id}:`)),
  paragraph(text),
];

export const closedByContact = (request: Request, note: string): Document => [
  paragraph(`Your request `, code(request.id), ` (${KIND_LABELS[request.kind]}) was closed by the privacy contact.`, note === '' ? '' : ` Their note: ${note}`),
];

export const extendedNotice = (request: Request): Document => [
  paragraph(
    `The deadline of your request `,
    code(request.id),
    ` (${KIND_LABELS[request.kind]}) was extended to ${day(request.dueAt)}, as the law allows once (GDPR Art. 12(3)). The reason: ${request.extensionReason ?? ''}`,
  ),
];

export const cancelledNotice = (request: Request): Document => [
  paragraph('Request ', code(request.id), ` (${KIND_LABELS[request.kind]}) is cancelled. Nothing more will happen with it.`),
];

export function requestsDocument(open: readonly Request[], now: number): Document {
  if (open.length === 0) return [paragraph('No open requests.')];
  return [
    paragraph(bold(`Open requests (${open.length}), most urgent first:`)),
    list(open.map((r): Inline[] => [code(r.id), ` ${KIND_LABELS[r.kind]} from `, code(r.userId), `: ${deadline(r, now)}`])),
  ];
}

export function timelineDocument(request: Request, entries: readonly AuditEntry[], now: number): Document {
  return [
    paragraph(bold(`Request ${request.id}`), ` (${KIND_LABELS[request.kind]}) from `, code(request.userId), `: ${deadline(request, now)}.`),
    list(entries.map((e): Inline[] => [`${minute(e.at)} `, code(e.actor), ` ${describeEntry(e)}`])),
  ];
}

function describeEntry(entry: AuditEntry): string {
  const detail = JSON.parse(entry.detail) as Record<string, unknown>;
  const reason = typeof detail['reason'] === 'string' ? ` (${detail['reason']})` : '';
  switch (entry.action) {
    case 'opened':
      return `opened it, due ${day(Number(detail['dueAt']))}`;
    case 'state':
      return `${String(detail['from']).replace(/_/g, ' ')} → ${String(detail['to']).replace(/_/g, ' ')}${reason}`;
    case 'extended':
      return `extended the deadline to ${day(Number(detail['to']))}${reason}`;
    case 'escalated':
      return `escalated it (${String(detail['trigger'])})`;
    default:
      return entry.action.replace(/-/g, ' ');
  }
}
