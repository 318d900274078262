// The default push rules Synapse 1.67 puts in every initial sync's global
// account data (m.push_rules), as recorded. Only `.m.rule.invite_for_me`
// depends on the user.
import type { JsonObject } from './model.ts';

const match = (key: string, pattern: string): JsonObject => ({ kind: 'event_match', key, pattern });
const notify = (sound?: string, highlight: boolean | null = false): unknown[] => {
  const actions: unknown[] = ['notify'];
  if (sound) actions.push({ set_tweak: 'sound', value: sound });
  actions.push(highlight === null ? { set_tweak: 'highlight' } : { set_tweak: 'highlight', value: highlight });
  return actions;
};
const rule = (rule_id: string, conditions: JsonObject[], actions: unknown[]): JsonObject => ({
  conditions,
  actions,
  rule_id,
  default: true,
  enabled: true,
});

export function defaultPushRules(userId: string): JsonObject {
  return {
    global: {
      underride: [
        rule('.m.rule.call', [match('type', 'm.call.invite')], notify('ring')),
        rule('.m.rule.room_one_to_one', [{ kind: 'room_member_count', is: '2' }, match('type', 'm.room.message')], notify('default')),
        rule('.m.rule.encrypted_room_one_to_one', [{ kind: 'room_member_count', is: '2' }, match('type', 'm.room.encrypted')], notify('default')),
        rule('.m.rule.message', [match('type', 'm.room.message')], notify()),
        rule('.m.rule.encrypted', [match('type', 'm.room.encrypted')], notify()),
        rule('.im.vector.jitsi', [match('type', 'im.vector.modular.widgets'), match('content.type', 'jitsi'), match('state_key', '*')], notify()),
      ],
      sender: [],
      room: [],
      content: [],
      override: [
        { ...rule('.m.rule.master', [], ['dont_notify']), enabled: false },
        rule('.m.rule.suppress_notices', [match('content.msgtype', 'm.notice')], ['dont_notify']),
        rule('.m.rule.invite_for_me', [match('type', 'm.room.member'), match('content.membership', 'invite'), match('state_key', userId)], notify('default')),
        rule('.m.rule.member_event', [match('type', 'm.room.member')], ['dont_notify']),
        rule('.m.rule.contains_display_name', [{ kind: 'contains_display_name' }], notify('default', null)),
        rule(
          '.m.rule.roomnotif',
          [match('content.body', '@room'), { kind: 'sender_notification_permission', key: 'room' }],
          ['notify', { set_tweak: 'highlight', value: true }],
        ),
        rule('.m.rule.tombstone', [match('type', 'm.room.tombstone'), match('state_key', '')], ['notify', { set_tweak: 'highlight', value: true }]),
        rule('.m.rule.reaction', [match('type', 'm.reaction')], ['dont_notify']),
      ],
    },
    device: {},
  };
}
