// !whatdoyouhave: answered at once with everything but the message count; the access
// request's job counts them and edits the complete report into the answer (count-job.ts).
import { collectInventoryWithoutCount } from '../inventory/collect.ts';
import { policyDiscrepancies } from '../inventory/discrepancies.ts';
import { inventoryReport } from '../inventory/report.ts';
import { code, paragraph } from '../render/document.ts';
import { defineCommand } from './command.ts';

export const whatdoyouhave = defineCommand({
  name: 'whatdoyouhave',
  summary: 'exactly what this server stores about you, why, for how long, and who else gets it',
  scope: 'personal',
  run: async ({ sender, roomId, eventId, config, homeserver, now, desk, reportPolicyDiscrepancies }) => {
    let result;
    try {
      result = await collectInventoryWithoutCount(homeserver, sender, now);
    } catch (error) {
      // A failed access request still counts in the transparency report; the bot then explains the failure.
      desk.recordAccess(sender, roomId, eventId, false);
      throw error;
    }
    if (!result.found) {
      desk.recordAccess(sender, roomId, eventId, true);
      return [paragraph('The homeserver has no account ', code(sender), '. If you think it should, write to the privacy contact.')];
    }
    const request = desk.openAccess(sender, roomId, eventId);
    await reportPolicyDiscrepancies(policyDiscrepancies(result.inventory, config.policy));
    return { document: inventoryReport(result.inventory, config), progressOf: request.id };
  },
});
