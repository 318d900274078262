// The steps an erasure runs on this server, in order, chosen by what the server can do.
// Pure: `!plan` shows them before anything runs, and the job runs exactly these.
import type { Capabilities } from '../homeserver/homeserver.ts';

export const STEP_NAMES = ['memberships', 'redact', 'media', 'threepids', 'announce', 'deactivate', 'leave-rooms', 'verify', 'forget'] as const;
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
  if (f.redactUser) {
    steps.push({
      step: 'redact',
      what: `Redact every event the user sent in all ${facts.roomsNow + facts.roomsLeft} room(s), rooms left included, with POST /_synapse/admin/v1/user/{user}/redact (rooms listed explicitly${capabilities.flavour === 'tuwunel' ? ', sent by the admin (use_admin), since the user cannot redact where they are no longer a member' : ''}), then follow it with redact_status until it is complete.`,
      visible: 'Room members see the user’s messages and files replaced by “message deleted”.',
    });
  } else {
    steps.push({
      step: 'redact',
      what:
        'Redact the user’s events one by one through a short-lived login as the user (client API). In rooms the user left: make the bot a room admin (POST /_synapse/admin/v1/rooms/{room}/make_room_admin), the bot joins, the user is joined back (POST /_synapse/admin/v1/join/{room}), their events are redacted, the user leaves again, then the bot leaves.',
      visible:
        'Room members see the user’s messages replaced by “message deleted”. In rooms the user left, members also see the bot join with admin power, the user rejoin and leave, and the bot leave. Rooms made on other servers may have no local member with power: their events cannot be redacted here and are reported.',
    });
  }
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
      visible: capabilities.flavour === 'synapse' ? 'Synapse also leaves the user’s rooms and clears the profile: members see the user leave.' : null,
    },
  );
  if (f.adminRoomCommands && capabilities.flavour === 'tuwunel') {
    steps.push({
      step: 'leave-rooms',
      what: 'Tuwunel’s HTTP deactivation leaves rooms and profile alone: run `!admin users deactivate <user>` in #admins, which leaves every room, rejects invites and clears the profile.',
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
