// Reactions that decide: ✅ or ❌ on the admin room message asking about an erasure. Pure.
import { z } from 'zod';

const Reaction = z.object({
  event_id: z.string(),
  sender: z.string(),
  type: z.literal('m.reaction'),
  origin_server_ts: z.number(),
  content: z.object({
    'm.relates_to': z.object({ rel_type: z.literal('m.annotation'), event_id: z.string(), key: z.string() }),
  }),
});

export type ReactionDecision = { eventId: string; sender: string; target: string; decision: 'approve' | 'deny' };

const DECISIONS: Readonly<Record<string, 'approve' | 'deny'>> = { '✅': 'approve', '❌': 'deny' };

/** The decision a reaction makes, or null for any other event or key. Emoji variation selectors are ignored. */
export function reactionDecision(raw: unknown, rules: { botUserId: string; notBefore: number }): ReactionDecision | null {
  const parsed = Reaction.safeParse(raw);
  if (!parsed.success) return null;
  const event = parsed.data;
  if (event.sender === rules.botUserId || event.origin_server_ts < rules.notBefore) return null;
  const relation = event.content['m.relates_to'];
  const decision = DECISIONS[relation.key.replace(/\uFE0F/g, '')];
  return decision === undefined ? null : { eventId: event.event_id, sender: event.sender, target: relation.event_id, decision };
}

/** How a reaction waits in the inbox: no text, just what it decides on. */
export const reactionCommand = (r: Pick<ReactionDecision, 'decision' | 'target'>): string => `reaction ${r.decision} ${r.target}`;

export function parseReactionCommand(command: string): Pick<ReactionDecision, 'decision' | 'target'> | null {
  const match = /^reaction (approve|deny) (\S+)$/.exec(command);
  return match ? { decision: match[1] as 'approve' | 'deny', target: match[2]! } : null;
}
