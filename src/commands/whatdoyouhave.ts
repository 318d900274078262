import { collectInventory } from '../inventory/collect.ts';
import { inventoryReport } from '../inventory/report.ts';
import { policyDiscrepancies } from '../policy/discrepancies.ts';
import { code, paragraph } from '../render/document.ts';
import { defineCommand } from './command.ts';

export const whatdoyouhave = defineCommand({
  name: 'whatdoyouhave',
  summary: 'exactly what this server stores about you, why, for how long, and who else gets it',
  scope: 'personal',
  run: async ({ sender, roomId, eventId, config, homeserver, now, desk, reportPolicyDiscrepancies }) => {
    let result;
    try {
      result = await collectInventory(homeserver, sender, now);
    } catch (error) {
      // A failed access request still counts in the transparency report; the bot then explains the failure.
      desk.recordAccess(sender, roomId, eventId, false);
      throw error;
    }
    desk.recordAccess(sender, roomId, eventId, true);
    if (!result.found) {
      return [paragraph('The homeserver has no account ', code(sender), '. If you think it should, write to the privacy contact.')];
    }
    await reportPolicyDiscrepancies(policyDiscrepancies(result.inventory, config.policy));
    return inventoryReport(result.inventory, config);
  },
});
