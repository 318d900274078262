// Who may redact what in a room, read from its current state (the admin state endpoint). Pure.
// The rules are the spec's: redacting someone else's event needs the room's `redact` level and
// the level to send m.room.redaction; the sender may redact their own with the latter alone;
// and only a joined member can send anything.
import { z } from 'zod';

const Levels = z.looseObject({
  users: z.record(z.string(), z.number()).nullish(),
  users_default: z.number().nullish(),
  events: z.record(z.string(), z.number()).nullish(),
  events_default: z.number().nullish(),
  redact: z.number().nullish(),
  state_default: z.number().nullish(),
});

/** GET /_synapse/admin/v1/rooms/{roomId}/state, with what this module reads. */
export const RoomState = z.object({
  state: z.array(z.looseObject({ type: z.string(), state_key: z.string().nullish(), content: z.record(z.string(), z.unknown()) })),
});
export type RoomState = z.infer<typeof RoomState>;

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock' | null;

export type RoomAuthority = {
  userMembership: Membership;
  botMembership: Membership;
  /** join_rule, e.g. "public", "invite"; null where unset. */
  joinRule: string | null;
  /** The bot's level is enough to redact other people's events (were it joined). */
  botHasRedactPower: boolean;
  /**
   * The member of this server that make_room_admin would act through (Synapse: the joined local
   * user with the most power, who must be able to change the power levels), or null: nobody here
   * can grant the bot power. Only set where `serverName` was given.
   */
  localGranter: string | null;
};

export type RoomPeople = { userId: string; botUserId: string /** Our server, to tell local members. */; serverName?: string };

export function roomAuthority(room: RoomState, people: RoomPeople): RoomAuthority {
  const stateOf = (type: string, key = '') => room.state.find((e) => e.type === type && (e.state_key ?? '') === key)?.content;
  const membershipOf = (userId: string): Membership => {
    const value = stateOf('m.room.member', userId)?.['membership'];
    return typeof value === 'string' && ['join', 'invite', 'leave', 'ban', 'knock'].includes(value) ? (value as Membership) : null;
  };
  const joinRule = stateOf('m.room.join_rules')?.['join_rule'];
  const levels = Levels.safeParse(stateOf('m.room.power_levels') ?? {});
  const power = levels.success ? levels.data : {};
  const botLevel = power.users?.[people.botUserId] ?? power.users_default ?? 0;
  const redactLevel = power.redact ?? 50;
  const sendRedactionLevel = power.events?.['m.room.redaction'] ?? power.events_default ?? 0;
  return {
    userMembership: membershipOf(people.userId),
    botMembership: membershipOf(people.botUserId),
    joinRule: typeof joinRule === 'string' ? joinRule : null,
    botHasRedactPower: botLevel >= redactLevel && botLevel >= sendRedactionLevel,
    localGranter:
      people.serverName === undefined
        ? null
        : localGranter(power, creatorsOf(room.state.find((e) => e.type === 'm.room.create')), people.serverName, membershipOf, people),
  };
}

/** Room version 12 on (MSC4289): the creators hold power above any level, outside the power levels. */
function creatorsOf(create: { content: Record<string, unknown>; sender?: unknown } | undefined): string[] {
  const content = create?.content ?? {};
  if (!(Number(content['room_version'] ?? 1) >= 12)) return [];
  const additional = Array.isArray(content['additional_creators']) ? content['additional_creators'].filter((id): id is string => typeof id === 'string') : [];
  return [...additional, ...(typeof create?.sender === 'string' ? [create.sender] : [])];
}

/**
 * Who make_room_admin would act through (synapse/rest/admin/rooms.py, MakeRoomAdminRestServlet):
 * the joined local user with the highest level in the power levels, if that level may change
 * them. The user being erased and the bot do not count: neither is joined where this matters.
 */
function localGranter(
  power: z.infer<typeof Levels>,
  creators: string[],
  serverName: string,
  membershipOf: (userId: string) => Membership,
  people: RoomPeople,
): string | null {
  const needed = power.events?.['m.room.power_levels'] ?? power.state_default ?? 50;
  const candidates = [...Object.entries(power.users ?? {}), ...creators.map((id): [string, number] => [id, Infinity])]
    .filter(([id]) => id.endsWith(`:${serverName}`) && id !== people.userId && id !== people.botUserId)
    .sort(([, a], [, b]) => b - a);
  const granter = candidates.find(([id]) => membershipOf(id) === 'join');
  return granter !== undefined && granter[1] >= needed ? granter[0] : null;
}
