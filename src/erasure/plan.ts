// The steps an erasure runs on this server, in order, chosen by what the server can do, and
// what will happen in each of the person's rooms. Pure: `!plan` and the admins' approval
// message show them before anything runs, and the job runs exactly these steps.
import type { Capabilities, PlannedRoom, RoomRoute } from '../homeserver/homeserver.ts';
import { groupRoomPlans } from '../homeserver/room-routes.ts';
import { type Block, bold, code, type Inline, list, paragraph } from '../render/document.ts';

export const STEP_NAMES = [
  'memberships',
  'profile',
  'purge',
  'redact',
  'media',
  'threepids',
  'traces',
  'announce',
  'deactivate',
  'sweep',
  'leave-rooms',
  'verify',
  'erase-marker',
  'admin-room',
  'forget',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export type PlannedStep = {
  step: StepName;
  /** What the bot does, naming the API it uses. */
  what: string;
  /** What other people see, where anything shows. */
  visible: string | null;
};

export type PlanFacts = { roomsNow: number; roomsLeft: number };

/** The server's redaction task, asked for once however often the step runs. */
const SERVER_TASK_ONCE =
  'the server’s own task, once (POST /_synapse/admin/v1/user/{user}/redact with the rooms it can reach listed explicitly, ' +
  'recorded before it is asked for and followed with redact_status; a restart looks it up in /_synapse/admin/v1/scheduled_tasks ' +
  'rather than asking twice)';

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

/** The steps this server runs, in order. */
export function planSteps(capabilities: Capabilities): StepName[] {
  return erasurePlan(capabilities, { roomsNow: 0, roomsLeft: 0 }).map((s) => s.step);
}

export function erasurePlan(capabilities: Capabilities, facts: PlanFacts): PlannedStep[] {
  const f = capabilities.features;
  const rooms = `${facts.roomsNow} room(s) the user is in and ${facts.roomsLeft} they left`;
  const steps: PlannedStep[] = [
    {
      step: 'memberships',
      what: `Record every room the user is or was in (${rooms}): ${[
        'joined rooms from the admin API',
        ...(f.memberships ? ['GET /_synapse/admin/v1/users/{user}/memberships'] : []),
        ...(f.loginAs && (!f.memberships || !f.membershipsListsRoomsNobodyHereIsIn)
          ? ['rooms left through a short-lived login as the user (sync with include_leave)']
          : []),
        'and every other room of the server that no list names, asked whether the user ever wrote there ' +
          `(GET /_synapse/admin/v1/rooms, then ${f.roomMessagesAdmin ? 'an admin /messages with a senders filter' : 'its state'}): ` +
          'rooms they forgot, and rooms nobody here is in any more',
      ].join(', ')}. Then decide how each room is reached (see the rooms below), and note the other servers in each.`,
      visible: null,
    },
  ];
  if (f.deactivationLeavesRooms) {
    steps.push({
      step: 'profile',
      what:
        'Clear the display name and avatar (PUT /_synapse/admin/v2/users/{user}) while the user is still in ' +
        'their rooms, so that the membership events carrying the change are redacted with the rest ' +
        '(deactivation would write them after the user is gone).',
      visible: 'Members see the user’s name and picture go.',
    });
  }
  if (f.roomPurge) {
    steps.push({
      step: 'purge',
      what:
        'Delete, with everything in them, the rooms nobody on this server is in any more (DELETE ' +
        '/_synapse/admin/v2/rooms/{room} with purge, after checking joined_local_members is 0, followed with ' +
        'delete_status): nobody here can redact there.',
      visible: 'Nobody here is in those rooms; other servers in them keep their copies.',
    });
  }
  const oneByOne =
    'whatever is still readable afterwards is redacted one by one through the client API, each with a ' +
    'transaction ID made from the event: as the user where they are still a member (a short login as ' +
    'them), else as the bot where it has the power';
  const leftRooms = f.makeRoomAdmin
    ? '; in rooms the user left, the room’s most powerful member of this server makes the bot an admin ' +
      'there (POST /_synapse/admin/v1/rooms/{room}/make_room_admin), the bot joins, redacts and leaves; in ' +
      'public rooms, the user rejoins, redacts and leaves'
    : '; in public rooms the user left, the user rejoins, redacts and leaves again';
  const limits = f.rateLimitOverride
    ? ' The user’s rate limits are lifted for it (POST /_synapse/admin/v1/users/{user}/override_ratelimit: ' +
      'redactions sent as them count as their messages, 0.2 a second by default) and restored after the ' +
      'sweep (DELETE on the same path).'
    : '';
  const everything = 'Redact every message, file, reaction and profile change the user sent, rooms left included';
  steps.push({
    step: 'redact',
    what: f.redactUser
      ? `${everything}: first ${SERVER_TASK_ONCE}${f.redactionTaskReachesLeftRooms ? ', which redacts as the user even in rooms they left' : ''}; then ${oneByOne}${leftRooms}.${limits}`
      : `${everything}: this server has no redaction task, so ${oneByOne}${leftRooms}.${limits}`,
    visible:
      'Room members see the user’s messages replaced by “message deleted”; in the rooms marked below as ' +
      'visible, they also see the bot or the user join and leave.',
  });
  steps.push(
    {
      step: 'media',
      what: 'Delete every file the user uploaded, repeating DELETE /_synapse/admin/v1/users/{user}/media until none is left.',
      visible: 'Images and files the user shared stop loading for everyone.',
    },
    {
      step: 'threepids',
      what: 'Remove the user’s email addresses and phone numbers (PUT /_synapse/admin/v2/users/{user} with an empty threepids list).',
      visible: null,
    },
    {
      step: 'traces',
      what: [
        'Through a short login as the user, remove what deactivation would leave: their room tags, ',
        f.accountDataDelete && !f.deactivationRemovesAccountData ? 'their account data, global and per room (DELETE, MSC3391), ' : '',
        'their pushers, their key backups, and profile fields besides the name and avatar (such as a time zone).',
        f.deactivationRemovesAccountData ? ' Their account data goes with the deactivation.' : '',
      ].join(''),
      visible: null,
    },
    {
      step: 'announce',
      what:
        'Tell the user, in their direct chat, that the erasure is starting and how to reach the privacy ' +
        'contact without an account: the last message they receive.',
      visible: null,
    },
    {
      step: 'deactivate',
      what: f.erasedMarkerPrunesAdminReads
        ? 'Deactivate the account (POST /_synapse/admin/v1/deactivate/{user}, "erase": false for now): ' +
          'devices, access tokens and the password go. The erased marker is set last, after the read-back, ' +
          'because once it is set this server shows even the admins pruned copies of the user’s events, which ' +
          'would hide what members still see.'
        : 'Deactivate the account with erase (POST /_synapse/admin/v1/deactivate/{user}, "erase": true): ' +
          'devices, access tokens, push registrations and the password go, and later joiners see the user’s ' +
          'events pruned.',
      visible: f.deactivationLeavesRooms ? 'The server also leaves the user’s rooms and clears the profile: members see the user leave.' : null,
    },
    {
      step: 'sweep',
      what:
        'Now that the user can no longer write, redact one by one (never a second server task, which would ' +
        'redact everything again), delete files and remove addresses once more, for whatever they sent or ' +
        'added while the erasure ran.',
      visible: null,
    },
  );
  if (!f.deactivationLeavesRooms && f.adminRoomCommands) {
    steps.push({
      step: 'leave-rooms',
      what:
        'This server’s HTTP deactivation leaves rooms and profile alone: run `!admin users deactivate <user>` in #admins, once, ' +
        'and wait for it as long as the server’s queue of admin commands and the user’s rooms need.',
      visible: 'Members see the user leave their rooms.',
    });
  }
  steps.push({
    step: 'verify',
    what:
      `Read everything back: ${f.erasedMarkerPrunesAdminReads ? 'deactivated' : 'deactivated, erased'}, no rooms, no media, no devices, no emails, ` +
      'no profile, no tags, account data, pushers or key backups, the deleted rooms gone, and no event of the user readable in any ' +
      'room, the recorded ones and any found by asking every room of the server again. An event counts as removed only when the ' +
      'server shows it redacted, never when it merely shows it without content (a pruned copy). Only then is the erasure reported as verified.',
    visible: null,
  });
  if (f.erasedMarkerPrunesAdminReads) {
    steps.push({
      step: 'erase-marker',
      what: 'Set the erased marker (POST /_synapse/admin/v1/deactivate/{user}, "erase": true) and read it back.',
      visible: null,
    });
  }
  if (f.adminRoomCommands) {
    steps.push({ step: 'admin-room', what: 'Redact the bot’s own commands in #admins that name the user, and the server’s answers to them.', visible: null });
  }
  steps.push({
    step: 'forget',
    what: 'The bot forgets the user: the request keeps kind, dates, outcome and approver, with the user replaced by a pseudonym; export files are deleted.',
    visible: null,
  });
  return steps;
}

/** A route in words, for the admins. */
export function describeRoute(route: RoomRoute): string {
  switch (route.kind) {
    case 'gone':
      return 'the server no longer has the room';
    case 'purge':
      return 'nobody on this server is in it any more: deleted here with everything in it';
    case 'quiet':
      return route.by === 'person'
        ? 'redacted as the user, who is still a member'
        : route.by === 'server-task'
          ? 'redacted by the server’s own task, as the user'
          : 'redacted by the bot, which has the power there';
    case 'visible':
      return route.how.by === 'bot-made-admin'
        ? `redacted visibly: ${route.how.granter} (the room’s most powerful member here) makes the bot an admin, the bot joins, redacts and leaves`
        : 'redacted visibly: the user rejoins the public room, redacts and leaves';
    case 'cannot':
      return `cannot be redacted here: ${route.reason}`;
  }
}

/** The rooms that are not simply redacted quietly, named, for `!plan` and the approval message. */
export function roomPlanBlocks(plans: readonly PlannedRoom[]): Block[] {
  const groups = groupRoomPlans(plans);
  const lines: Inline[][] = [];
  for (const roomId of groups.purged) lines.push([code(roomId), ': ', describeRoute({ kind: 'purge' })]);
  for (const { roomId, route } of groups.visible) lines.push([code(roomId), ': ', describeRoute(route)]);
  for (const { roomId, reason, partly } of groups.cannot)
    lines.push([
      code(roomId),
      ': ',
      bold(partly ? 'partly cannot be redacted here: ' : 'cannot be redacted here: '),
      partly ? `the user’s messages are redacted by the server’s task, but their reactions, stickers and profile changes there cannot be: ${reason}` : reason,
    ]);
  const servers = recipientServers(plans);
  return [
    paragraph(bold('Rooms: '), `${plans.length} in all; ${groups.quiet.length} redacted without anyone joining.`, lines.length === 0 ? '' : ' The others:'),
    ...(lines.length > 0 ? [list(lines)] : []),
    ...(servers.length > 0
      ? [
          paragraph(
            bold('Other servers in these rooms'),
            ' (they received what the user sent there, and keep their copies of what is deleted here rather than redacted): ',
            servers.map(({ server, rooms }) => `${server} (${rooms} room(s))`).join(', '),
            '.',
          ),
        ]
      : []),
  ];
}

/** The other servers in the user's rooms, with how many rooms each shared (GDPR Art. 19). */
export function recipientServers(plans: readonly { servers: string[] | null }[]): { server: string; rooms: number }[] {
  const counts = new Map<string, number>();
  for (const plan of plans) for (const server of plan.servers ?? []) counts.set(server, (counts.get(server) ?? 0) + 1);
  return [...counts].map(([server, rooms]) => ({ server, rooms })).sort((a, b) => b.rooms - a.rooms || a.server.localeCompare(b.server));
}
