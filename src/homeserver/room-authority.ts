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
};

export function roomAuthority(room: RoomState, people: { userId: string; botUserId: string }): RoomAuthority {
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
  };
}
