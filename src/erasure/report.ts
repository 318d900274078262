// The admin room's account of an erasure: every step with what it did, the read-back, the
// duration. The word "verified" appears only when every read-back check passed; an erasure
// that stopped says what was and was not done. Pure.
import { bold, code, list, paragraph, type Document, type Inline } from '../render/document.ts';
import type { Request } from '../requests/request.ts';
import type { StepName } from './plan.ts';
import type { StepRecord, StepResult } from './steps-store.ts';

const count = (result: StepResult, key: string): number => {
  const value = result[key];
  return typeof value === 'number' ? value : 0;
};

/** One line per step that ran, in words. */
function done(step: StepName, r: StepResult): string {
  switch (step) {
    case 'memberships':
      return `Rooms recorded: ${count(r, 'rooms')} (${count(r, 'left')} of them left earlier)`;
    case 'profile':
      return r['cleared'] === true ? 'Display name and avatar cleared' : 'Display name and avatar: none was set';
    case 'redact': {
      const parts = [
        ...(r['serverTask'] === true ? [`the server’s own task ran over every room (${count(r, 'serverTaskFailures')} event(s) it could not redact were taken over by the bot)`] : []),
        `${count(r, 'oneByOne')} event(s) redacted one by one`,
      ];
      return `Events redacted: ${parts.join('; ')}`;
    }
    case 'media':
      return `Uploaded files deleted: ${count(r, 'files')}`;
    case 'threepids':
      return `Email addresses and phone numbers removed: ${count(r, 'removed')}`;
    case 'announce':
      return r['told'] === true ? 'The user was told that the erasure was starting' : 'The user could not be told in a direct chat (none, or it could not be reached)';
    case 'deactivate':
      return r['already'] === true ? 'Account deactivated with erase (it already was)' : 'Account deactivated with erase';
    case 'sweep':
      return `After deactivation, once more: ${count(r, 'oneByOne')} event(s) redacted one by one${r['serverTask'] === true ? ' after the server’s task' : ''}, ${count(r, 'files')} file(s) deleted, ${count(r, 'threepids')} address(es) removed`;
    case 'leave-rooms':
      return r['nothingLeft'] === true ? 'Rooms and profile: nothing was left to clear' : 'Rooms left and profile cleared (admin room command)';
    case 'verify':
      return r['erasedFlag'] === 'not reported' ? 'Read back: every check passed (this server does not report the erase flag)' : 'Read back: every check passed';
    case 'forget':
      return 'The bot’s own records of the user pseudonymised';
  }
}

const NAMES: Readonly<Record<StepName, string>> = {
  memberships: 'Recording the rooms',
  profile: 'Clearing the display name and avatar',
  redact: 'Redacting the user’s events',
  media: 'Deleting uploaded files',
  threepids: 'Removing email addresses and phone numbers',
  announce: 'Telling the user',
  deactivate: 'Deactivating the account with erase',
  sweep: 'Redacting and deleting once more after deactivation',
  'leave-rooms': 'Leaving rooms and clearing the profile',
  verify: 'Reading everything back',
  forget: 'Pseudonymising the bot’s own records',
};

/** What a step does, in a few words: "Deleting uploaded files". */
export const stepName = (step: StepName): string => NAMES[step];

function stepLine(step: StepName, record: StepRecord | undefined): Inline[] {
  if (record === undefined) return [`${NAMES[step]}: `, bold('not done')];
  if (record.state !== 'done') return [`${NAMES[step]}: `, bold('started, not finished')];
  const notRedacted = record.result?.['notRedacted'];
  return [done(step, record.result ?? {}), ...(typeof notRedacted === 'string' && notRedacted !== '' ? ['. ', bold('Not redacted: '), notRedacted] : [])];
}

export type ErasureOutcome = { kind: 'verified' } | { kind: 'incomplete'; problems: string[] };

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
      ? [paragraph('The bot now forgets the user: its own records keep only a pseudonym, the kind, the dates, the outcome and who approved.')]
      : [paragraph(bold('What stopped it: '), outcome.problems.join('; '), '. Only the steps marked done above ran. The privacy contact was told.')]),
  ];
}
