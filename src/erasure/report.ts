// The admin room's account of an erasure: every step with what it did, the read-back, the
// duration. The word "verified" appears only when every read-back check passed; an erasure
// that stopped says what was and was not done. Pure.
import type { PlannedRoom } from '../homeserver/homeserver.ts';
import { type Block, bold, code, type Document, type Inline, list, paragraph } from '../render/document.ts';
import type { Request } from '../requests/request.ts';
import { recipientServers, type StepName } from './plan.ts';
import type { StepRecord, StepResult } from './steps-store.ts';

const count = (result: StepResult, key: string): number => {
  const value = result[key];
  return typeof value === 'number' ? value : 0;
};

/** What the verification's line adds about the erase flag, where the server does not simply report it set. */
const ERASED_FLAG_NOTES: Record<string, string> = {
  'not reported': ' (this server does not report the erase flag)',
  'set after the read-back': ' (the erase flag is set after it, as this server hides erased users’ events even from admins once it is set)',
};

/** One line per step that ran, in words. */
function done(step: StepName, r: StepResult): string {
  switch (step) {
    case 'memberships':
      return [
        `Rooms recorded: ${count(r, 'rooms')} (${count(r, 'left')} of them left earlier)`,
        `${count(r, 'toPurge')} to delete (nobody here is in them any more), ${count(r, 'visible')} to redact visibly, ${count(r, 'cannot')} that cannot be redacted here`,
        ...(count(r, 'unchecked') > 0 ? [`${count(r, 'unchecked')} room(s) of the server could not be checked for the user`] : []),
      ].join('; ');
    case 'purge':
      return `Rooms nobody here is in any more, deleted with everything in them: ${count(r, 'purged')}${count(r, 'refused') > 0 ? ` (${count(r, 'refused')} not deleted)` : ''}`;
    case 'profile':
      return r['cleared'] === true ? 'Display name and avatar cleared' : 'Display name and avatar: none was set';
    case 'redact': {
      const parts = [
        ...(r['serverTask'] === true
          ? [
              `the server’s own task ran, once, over the rooms it can reach (${count(r, 'serverTaskFailures')} event(s) it could not redact were taken over by the bot)`,
            ]
          : []),
        `${count(r, 'oneByOne')} event(s) redacted one by one`,
      ];
      return `Events redacted: ${parts.join('; ')}`;
    }
    case 'media':
      return `Uploaded files deleted: ${count(r, 'files')}`;
    case 'threepids':
      return `Email addresses and phone numbers removed: ${count(r, 'removed')}`;
    case 'traces':
      return `Removed through a login as the user: ${[
        `${count(r, 'tags')} room tag(s)`,
        `${count(r, 'accountData')} kind(s) of account data`,
        `${count(r, 'pushers')} pusher(s)`,
        `${count(r, 'keyBackups')} key backup(s)`,
        `${count(r, 'profileFields')} profile field(s)`,
      ].join(', ')}`;
    case 'announce':
      return r['told'] === true
        ? 'The user was told that the erasure was starting'
        : 'The user could not be told in a direct chat (none, or it could not be reached)';
    case 'deactivate':
      return r['already'] === true ? 'Account deactivated with erase (it already was)' : 'Account deactivated with erase';
    case 'sweep':
      return `After deactivation, once more: ${[
        `${count(r, 'oneByOne')} event(s) redacted one by one${r['serverTask'] === true ? ' after the server’s task' : ''}`,
        `${count(r, 'files')} file(s) deleted`,
        `${count(r, 'threepids')} address(es) removed`,
      ].join(', ')}`;
    case 'leave-rooms':
      return r['nothingLeft'] === true ? 'Rooms and profile: nothing was left to clear' : 'Rooms left and profile cleared (admin room command)';
    case 'verify':
      return `Read back in ${count(r, 'roomsChecked')} room(s): every check passed${ERASED_FLAG_NOTES[String(r['erasedFlag'])] ?? ''}`;
    case 'erase-marker':
      return r['already'] === true ? 'Erase flag: it was already set' : 'Erase flag set and read back';
    case 'admin-room':
      return `The bot’s admin-room commands naming the user redacted: ${count(r, 'redacted')}${count(r, 'refused') > 0 ? ` (${count(r, 'refused')} of the server’s answers could not be)` : ''}`;
    case 'forget':
      return 'The bot’s own records of the user pseudonymised';
  }
}

const NAMES: Readonly<Record<StepName, string>> = {
  memberships: 'Recording the rooms',
  profile: 'Clearing the display name and avatar',
  purge: 'Deleting the rooms nobody here is in any more',
  redact: 'Redacting the user’s events',
  media: 'Deleting uploaded files',
  threepids: 'Removing email addresses and phone numbers',
  traces: 'Removing room tags, account data, pushers, key backups and profile fields',
  announce: 'Telling the user',
  deactivate: 'Deactivating the account with erase',
  sweep: 'Redacting and deleting once more after deactivation',
  'leave-rooms': 'Leaving rooms and clearing the profile',
  verify: 'Reading everything back',
  'erase-marker': 'Setting the erase flag',
  'admin-room': 'Redacting the bot’s admin-room commands about the user',
  forget: 'Pseudonymising the bot’s own records',
};

/** What a step does, in a few words: "Deleting uploaded files". */
export const stepName = (step: StepName): string => NAMES[step];

function stepLine(step: StepName, record: StepRecord | undefined): Inline[] {
  if (record === undefined) return [`${NAMES[step]}: `, bold('not done')];
  if (record.state !== 'done') return [`${NAMES[step]}: `, bold('started, not finished')];
  const named = (key: string, label: string): Inline[] => {
    const rooms = record.result?.[key];
    return typeof rooms === 'string' && rooms !== '' ? ['. ', bold(label), rooms] : [];
  };
  return [
    done(step, record.result ?? {}),
    ...named('notRedacted', 'Not redacted: '),
    ...named('notPurged', 'Not deleted: '),
    ...named('notChecked', 'Not checked: '),
  ];
}

export type ErasureOutcome = { kind: 'verified'; plans: readonly PlannedRoom[] } | { kind: 'incomplete'; problems: string[] };

/**
 * GDPR Art. 19: the other servers that were in the person's rooms received their messages;
 * where the bot redacted, the redactions went to them too; where a room was deleted here, they
 * keep their copies. Named so that the controller can tell each of them.
 */
function recipientsBlock(plans: readonly PlannedRoom[]): Block[] {
  const servers = recipientServers(plans);
  const unknown = plans.filter((p) => p.servers === null).length;
  const purgedShared = plans.filter((p) => p.route.kind === 'purge' && (p.servers?.length ?? 0) > 0).length;
  const unknownNote = unknown > 0 ? ` For ${unknown} room(s) this server could not tell.` : '';
  if (servers.length === 0)
    return [
      paragraph(
        bold('Other servers that received the user’s messages (GDPR Art. 19): '),
        `none: the user’s rooms had no members on other servers.${unknownNote}`,
      ),
    ];
  return [
    paragraph(
      bold('Other servers that received the user’s messages (GDPR Art. 19): '),
      servers.map(({ server, rooms }) => `${server} (${rooms} room(s))`).join(', '),
      '. The redactions were sent to them with the rest of each room',
      purgedShared > 0 ? `; the ${purgedShared} room(s) deleted here sent them none, and they keep their copies` : '',
      '. Erasure is not federated: tell each of them.',
      unknownNote,
    ),
  ];
}

/** The other servers as the first step recorded them, for a report of an erasure that stopped. */
function recordedRecipients(records: readonly StepRecord[]): Block[] {
  const recipients = records.find((r) => r.step === 'memberships')?.result?.['recipients'];
  return typeof recipients === 'string'
    ? [paragraph(bold('Other servers that received the user’s messages (GDPR Art. 19), with their rooms: '), recipients, '.')]
    : [];
}

/** Kept by the server with no way to delete them, said so rather than passed over. */
function keptBlock(records: readonly StepRecord[]): Block[] {
  const verify = records.find((r) => r.step === 'verify');
  return verify?.result?.['crossSigningKept'] === true
    ? [
        paragraph(
          bold('Kept by the server: '),

          'the user’s public cross-signing keys, which it still serves to anyone who asks; no server offers a ' +
            'way to delete them (Synapse and Tuwunel alike). They are public keys, not content.',
        ),
      ]
    : [];
}

export function erasureReport(request: Request, plan: readonly StepName[], records: readonly StepRecord[], outcome: ErasureOutcome, now: number): Document {
  const byName = new Map(records.map((r) => [r.step as StepName, r]));
  const started = Math.min(...records.map((r) => r.startedAt), now);
  const minutes = Math.max(0, Math.round((now - started) / 60_000));
  const shown = outcome.kind === 'verified' ? plan.filter((step) => step !== 'forget') : plan;
  return [
    paragraph(
      bold(`Erasure ${request.id} of `),
      code(request.userId),
      outcome.kind === 'verified' ? ': verified. Every read-back passed.' : ': INCOMPLETE. No read-back confirmed it.',
      ` Duration: ${minutes} minute(s).`,
    ),
    list(shown.map((step) => stepLine(step, byName.get(step)))),
    ...(outcome.kind === 'verified'
      ? [
          ...recipientsBlock(outcome.plans),
          ...keptBlock(records),
          paragraph('The bot now forgets the user: its own records keep only a pseudonym, the kind, the dates, the outcome and who approved.'),
        ]
      : [
          paragraph(bold('What stopped it: '), outcome.problems.join('; '), '. Only the steps marked done above ran. The privacy contact was told.'),
          ...recordedRecipients(records),
        ]),
  ];
}
