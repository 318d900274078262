// What the bot says about erasures, to the requester and to the admins. Pure.
import type { BotConfig } from '../config/load.ts';
import { formatBytes } from '../inventory/facts.ts';
import { type Block, bold, code, type Document, type Inline, link, list, paragraph } from '../render/document.ts';
import { day, minute } from '../requests/messages.ts';
import type { Request } from '../requests/request.ts';
import { CODE_ATTEMPTS, CODE_TTL_MS } from './confirmation.ts';
import type { ErasureSummary } from './summary.ts';

const contact = (config: BotConfig): Inline[] => [link(config.privacyContact.email, `mailto:${config.privacyContact.email}`)];

/** The counts of an erasure, said to the person ("you") or about them to the admins ("they"). */
function countLines(s: ErasureSummary, to: 'person' | 'admins'): Inline[][] {
  const they = to === 'person' ? 'you' : 'they';
  return [
    [`Rooms ${they} are or were in: ${s.rooms} (every message and file ${they} sent in them is redacted, and ${they} leave them)`],
    [s.messages === null ? `Messages ${they} sent: all of them (this server cannot count them in advance)` : `Messages ${they} sent: ${s.messages}`],
    [`Files ${they} uploaded: ${s.media} (${formatBytes(s.mediaBytes)})`],
    [`Devices and sessions: ${s.devices}`],
    [`Email addresses: ${s.emails}${s.phoneNumbers > 0 ? `, phone numbers: ${s.phoneNumbers}` : ''}`],
    [`Profile (display name, avatar): ${s.hasProfile ? 'yes' : 'none set'}`],
    [`App settings: ${s.accountDataTypes}; push registrations: ${s.pushers}`],
  ];
}

export type Limits = { redactedOriginalsKept: string };

export function deletionExplained(request: Request, code_: string, summary: ErasureSummary, limits: Limits): Document {
  return [
    paragraph(bold('You asked me to erase your account and its data. Please read this first: erasure cannot be undone.')),
    paragraph('What will be erased, from what the server holds about you right now:'),
    list(countLines(summary, 'person')),
    paragraph('What cannot be erased:'),
    list([
      [
        'Copies on other servers: messages you sent into rooms with people on other servers were copied there (federation). This server cannot erase them; ',
        code('!whatdoyouhave'),
        ' names those servers, room by room, and the privacy contact tells them of the erasure.',
      ],
      [`The server keeps redacted originals for a while before purging them: ${limits.redactedOriginalsKept}.`],
      [
        'Your public cross-signing keys, if your app set them up: the server keeps serving them after ' +
          'deactivation and offers no way to delete them. They are public keys, not content.',
      ],
      ['A record that this request existed and was honoured (its kind, dates and outcome; who approved it), with your name replaced by a pseudonym.'],
    ]),
    paragraph('Want a copy of your data first? Send ', code('!export'), ' before you confirm.'),
    paragraph(
      `To confirm, send `,
      code(`!delete confirm ${code_}`),
      ` within ${CODE_TTL_MS / 60_000} minutes (${CODE_ATTEMPTS} tries). An administrator then reviews request `,
      code(request.id),
      '; until the erasure starts you can stop it with ',
      code(`!cancel ${request.id}`),
      '.',
    ),
  ];
}

export const confirmed = (request: Request, config: BotConfig): Document => [
  paragraph(
    'Confirmed. Your erasure request ',
    code(request.id),
    ` now waits for an administrator’s approval; you will hear the outcome here, by ${day(request.dueAt)} at the latest. `,
    code('!status'),
    ' shows where it stands; ',
    code(`!cancel ${request.id}`),
    ' stops it until the erasure starts. Questions: ',
    ...contact(config),
    '.',
  ),
];

export function approvalRequest(request: Request, summary: ErasureSummary, fourEyes: boolean, rooms: readonly Block[] = []): Document {
  return [
    paragraph(
      bold(`Erasure request ${request.id}`),
      ' for ',
      code(request.userId),
      ...(request.enteredBy === null ? [' (confirmed by the user)'] : [', entered by ', code(request.enteredBy), ' for a request received outside Matrix']),
      '.',
    ),
    list([
      [`Account age: ${summary.accountAgeDays === null ? 'not recorded by this server' : `${summary.accountAgeDays} day(s)`}`],
      ...countLines(summary, 'admins'),
    ]),
    ...rooms,
    paragraph(
      'Decide with ',
      code(`!approve ${request.id}`),
      ' or ',
      code(`!deny ${request.id} <reason>`),
      ' (the reason goes to the user, GDPR Art. 17(3)), or react to this message with ✅ or ❌. ',
      code(`!plan ${request.id}`),
      ' shows every step first.',
      fourEyes ? ' Two different admins must approve.' : '',
    ),
  ];
}

export const approvedNotice = (request: Request, startsAt: number): Document => [
  paragraph(
    'Your erasure request ',
    code(request.id),
    ` was approved. It starts at ${minute(startsAt)}; until then you can still stop it with `,
    code(`!cancel ${request.id}`),
    '.',
  ),
];

export const deniedNotice = (request: Request, config: BotConfig): Document => [
  paragraph('Your erasure request ', code(request.id), ` was denied. The reason: ${request.decisionReason ?? 'none was given'}.`),
  paragraph(
    'If you disagree, write to the privacy contact, ',
    ...contact(config),
    `, or complain to ${config.policy.supervisoryAuthority.name}: ${config.policy.supervisoryAuthority.howToComplain}`,
  ),
];

/** The last message the requester gets: after this, their devices are logged out. */
export const startingNotice = (request: Request, config: BotConfig): Document => [
  paragraph(
    bold('Your account is being erased now'),
    ' (request ',
    code(request.id),
    '). This is the last message you will receive here: your devices will be logged out.',
  ),
  paragraph('Without an account, you can still reach the privacy contact by email: ', ...contact(config), `. Mention request ${request.id}.`),
];

/** An admin who denies with ❌ writes no reason; the requester is promised one from the privacy contact. */
export const REACTION_DENIAL_REASON = 'an administrator decided against it; the privacy contact will write to you with the reason';

export const reactionDenialFollowUp = (request: Request): Document => [
  paragraph(
    bold(`Erasure ${request.id} was denied by a reaction`),
    ' (by ',
    code(request.decidedBy ?? 'an admin'),
    '), without a written reason. The requester ',
    code(request.userId),
    ' was told you will send them the reason: please do, with ',
    code(`!reply ${request.id} <reason>`),
    '.',
  ),
];
