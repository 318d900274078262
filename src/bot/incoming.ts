// Which room events the bot acts on. Pure.
//
// Like maubot, the command layer ignores the bot's own messages, notices, edits,
// redactions, state events and anything older than the bot. What remains is either a message
// to read or an encrypted event the bot cannot read.
import { z } from 'zod';

export const RoomEvent = z.object({
  event_id: z.string(),
  sender: z.string(),
  type: z.string(),
  origin_server_ts: z.number(),
  state_key: z.string().optional(),
  content: z.record(z.string(), z.unknown()),
  unsigned: z.object({ redacted_because: z.unknown().optional() }).loose().optional(),
});
export type RoomEvent = z.infer<typeof RoomEvent>;

export type Incoming = { kind: 'message'; event: RoomEvent; body: string } | { kind: 'encrypted'; event: RoomEvent } | { kind: 'ignore'; why: string };

export type IncomingRules = { botUserId: string; notBefore: number };

function isEdit(content: Record<string, unknown>): boolean {
  const relation = z.object({ rel_type: z.string() }).safeParse(content['m.relates_to']);
  return 'm.new_content' in content || (relation.success && relation.data.rel_type === 'm.replace');
}

export function classifyIncoming(raw: unknown, rules: IncomingRules): Incoming {
  const parsed = RoomEvent.safeParse(raw);
  if (!parsed.success) return { kind: 'ignore', why: 'not a well-formed room event' };
  const event = parsed.data;
  if (event.sender === rules.botUserId) return { kind: 'ignore', why: 'own event' };
  if (event.origin_server_ts < rules.notBefore) return { kind: 'ignore', why: 'sent before the bot started' };
  if (event.unsigned?.redacted_because !== undefined) return { kind: 'ignore', why: 'redacted' };
  // Only timeline messages are commands: state of any type (even m.room.message) is not said, it is set.
  if (event.state_key !== undefined) return { kind: 'ignore', why: 'state event' };
  if (event.type === 'm.room.encrypted') return { kind: 'encrypted', event };
  if (event.type !== 'm.room.message') return { kind: 'ignore', why: 'not a message' };
  if (isEdit(event.content)) return { kind: 'ignore', why: 'edit' };
  const msgtype = event.content['msgtype'];
  const body = event.content['body'];
  if (msgtype === 'm.notice') return { kind: 'ignore', why: 'notice' };
  if (msgtype !== 'm.text' || typeof body !== 'string') return { kind: 'ignore', why: 'not text' };
  return { kind: 'message', event, body };
}
