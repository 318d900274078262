// Which rooms the bot joins and leaves. Pure.
import { serverPart } from '../config/matrix-ids.ts';

export type InviteDecision = { kind: 'join' } | { kind: 'decline'; reason: string };

/** Local users are vouched for by the homeserver; others are told, in the decline reason, where to go. */
export function inviteDecision(inviter: string, serverName: string): InviteDecision {
  if (serverPart(inviter) === serverName) return { kind: 'join' };
  return {
    kind: 'decline',
    reason: `I only serve accounts on ${serverName}. Your data lives on your own homeserver, ${serverPart(inviter)}: please ask its operators.`,
  };
}

/** The bot leaves a room once nobody else is in it, except the rooms it serves in. */
export const isLeftAlone = (members: string[], botUserId: string): boolean => members.length === 1 && members[0] === botUserId;
