// The steps an erasure runs on this server, in order, chosen by what the server can do.
// Pure: `!plan` shows them before anything runs, and the job runs exactly these.
import type { Capabilities } from '../homeserver/homeserver.ts';

export const STEP_NAMES = ['memberships', 'profile', 'redact', 'media', 'threepids', 'announce', 'deactivate', 'sweep', 'leave-rooms', 'verify', 'forget'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type PlannedStep = {
  step: StepName;
  /** What the bot does, naming the API it uses. */
  what: string;
  /** What other people see, where anything shows. */
  visible: string | null;
};

export type PlanFacts = { roomsNow: number; roomsLeft: number };

/** How long each server keeps redacted originals before purging them (its default setting). */
export function redactedOriginalsKept(capabilities: Pick<Capabilities, 'flavour'>): string {
  switch (capabilities.flavour) {
    case 'tuwunel':
      return 'Tuwunel keeps them 60 days by default (redaction_retention_seconds)';
    case 'synapse':
      return 'Synapse keeps them 7 days by default (redaction_retention_period)';
    default:
      return 'for the retention period the server is configured with';
  }
}

export function erasurePlan(capabilities: Capabilities, facts: PlanFacts): PlannedStep[] {
  const f = capabilities.features;
  const rooms = `${facts.roomsNow} room(s) the user is in and ${facts.roomsLeft} they left`;
  const steps: PlannedStep[] = [
    {
      step: 'memberships',
      what: f.memberships
        ? `Record every room the user is or was in (${rooms}), from GET /_synapse/admin/v1/users/{user}/memberships.`
        : `Record every room the user is or was in (${rooms}): joined rooms from the admin API, rooms left through a short-lived login as the user (sync with include_leave).`,
      visible: null,
    },
  ];
  if (f.deactivationLeavesRooms) {
    steps.push({
      step: 'profile',
      what: 'Clear the display name and avatar (PUT /_synapse/admin/v2/users/{user}) while the user is still in their rooms, so that the membership events carrying the change are redacted with the rest (deactivation would write them after the user is gone).',
      visible: 'Members see the user’s name and picture go.',
    });
  }
  const oneByOne =
    'whatever is still readable afterwards is redacted one by one through the client API: as the user where they are still a member (a short login as them), else as the bot where it has the power';
  const leftRooms = f.makeRoomAdmin
    ? '; in rooms the user left, the room’s most powerful member of this server makes the bot an admin there (POST /_synapse/admin/v1/rooms/{room}/make_room_admin), the bot joins, redacts and leaves'
    : '; in public rooms the user left, the user rejoins, redacts and leaves again';
  steps.push({
    step: 'redact',
    what: f.redactUser
      ? `Redact every message, file, reaction and profile change the user sent in all ${facts.roomsNow + facts.roomsLeft} room(s), rooms left included: first the server’s own task, POST /_synapse/admin/v1/user/{user}/redact with every room listed explicitly, followed with redact_status until it is complete; then ${oneByOne}${leftRooms}.`
      : `Redact every message, file, reaction and profile change the user sent in all ${facts.roomsNow + facts.roomsLeft} room(s), rooms left included: this server has no redaction task, so ${oneByOne}${leftRooms}.`,
    visible: `Room members see the user’s messages replaced by “message deleted”.${
      f.makeRoomAdmin
        ? ' In rooms the user left, members also see the bot join with admin power, and leave. Rooms made on other servers may have no member here who can grant that power: their events cannot be redacted here, and the report says so.'
        : ' In public rooms the user left, members also see the user rejoin and leave. In private rooms the user left, nobody here can redact (this server cannot make the bot a room admin): the report names them.'
    }`,
  });
  steps.push(
    {
      step: 'media',
      what: 'Delete every file the user uploaded, repeating DELETE /_synapse/admin/v1/users/{user}/media until none is left.',
      visible: 'Images and files the user shared stop loading for everyone.',
    },
    { step: 'threepids', what: 'Remove the user’s email addresses and phone numbers (PUT /_synapse/admin/v2/users/{user} with an empty threepids list).', visible: null },
    {
      step: 'announce',
      what: 'Tell the user, in their direct chat, that the erasure is starting and how to reach the privacy contact without an account: the last message they receive.',
      visible: null,
    },
    {
      step: 'deactivate',
      what: 'Deactivate the account with erase (POST /_synapse/admin/v1/deactivate/{user}, "erase": true): devices, access tokens, push registrations and the password go, and later joiners see the user’s events pruned.',
      visible: f.deactivationLeavesRooms ? 'The server also leaves the user’s rooms and clears the profile: members see the user leave.' : null,
    },
    {
      step: 'sweep',
      what: 'Now that the user can no longer write, do the redaction, the file deletion and the email removal once more, for whatever they sent or added while the erasure ran (a last message, a last upload).',
      visible: null,
    },
  );
  if (!f.deactivationLeavesRooms && f.adminRoomCommands) {
    steps.push({
      step: 'leave-rooms',
      what: 'This server’s HTTP deactivation leaves rooms and profile alone: run `!admin users deactivate <user>` in #admins, which leaves every room, rejects invites and clears the profile.',
      visible: 'Members see the user leave their rooms.',
    });
  }
  steps.push(
    {
      step: 'verify',
      what: 'Read everything back: deactivated, erased, no rooms, no media, no devices, no emails, no profile, and no readable event of the user in any recorded room. Only then is the erasure reported as verified.',
      visible: null,
    },
    { step: 'forget', what: 'The bot forgets the user: the request keeps kind, dates, outcome and approver, with the user replaced by a pseudonym; export files are deleted.', visible: null },
  );
  return steps;
}
