// !delete: what erasure removes and what it cannot, then a code to confirm; !delete confirm <code>.

import { confirmed, deletionExplained } from '../erasure/messages.ts';
import { redactedOriginalsKept } from '../erasure/plan.ts';
import { erasureSummary } from '../erasure/summary.ts';
import { collectInventory } from '../inventory/collect.ts';
import { code, paragraph } from '../render/document.ts';
import { describeState } from '../requests/lifecycle.ts';
import { defineCommand } from './command.ts';
import { keyword, optional, word } from './params.ts';

export const deleteAccount = defineCommand({
  name: 'delete',
  summary: 'erase your account and its data (you confirm; an administrator approves)',
  scope: 'personal',
  params: { action: optional(keyword('confirm')), code: optional(word('code', '123456')) },
  run: async ({ sender, roomId, eventId, homeserver, now, config, erasure }, { action, code: attempt }) => {
    if (action === 'confirm') {
      if (attempt === undefined) return [paragraph('Send the code with it: ', code('!delete confirm <code>'), '.')];
      const outcome = await erasure.confirm(sender, attempt);
      switch (outcome.kind) {
        case 'confirmed':
          return confirmed(outcome.request, config);
        case 'wrong':
          return [paragraph(`That code is not right. ${outcome.attemptsLeft} ${outcome.attemptsLeft === 1 ? 'try is' : 'tries are'} left.`)];
        case 'exhausted':
          return [paragraph('That code is not right either, and that was the last try: nothing will be erased. Send ', code('!delete'), ' to start again.')];
        case 'expired':
          return [paragraph('That code has expired (codes last 10 minutes): nothing will be erased. Send ', code('!delete'), ' for a new one.')];
        case 'nothing-to-confirm':
          return [paragraph('You have no erasure waiting for a code. Send ', code('!delete'), ' to start one.')];
      }
    }
    const inventory = await collectInventory(homeserver, sender, now);
    if (!inventory.found) return [paragraph('The homeserver has no account ', code(sender), '.')];
    const begun = erasure.begin(sender, roomId, eventId, erasureSummary(inventory.inventory, now()));
    if (begun.kind === 'open') {
      return [
        paragraph(
          'You already have an erasure request, ',
          code(begun.request.id),
          `, and it is ${describeState(begun.request.state)}. `,
          code('!status'),
          ' shows where it stands.',
        ),
      ];
    }
    return deletionExplained(begun.request, begun.code, erasureSummary(inventory.inventory, now()), {
      redactedOriginalsKept: redactedOriginalsKept(homeserver.capabilities),
    });
  },
});
