import { collectInventory } from '../inventory/collect.ts';
import { inventoryReport } from '../inventory/report.ts';
import { policyDiscrepancies } from '../policy/discrepancies.ts';
import { code, paragraph } from '../render/document.ts';
import type { Command } from './command.ts';

export const whatdoyouhave: Command = {
  name: 'whatdoyouhave',
  summary: 'exactly what this server stores about you, why, for how long, and who else gets it',
  scope: 'personal',
  maxArgs: 0,
  run: async ({ sender, config, homeserver, now, reportPolicyDiscrepancies }) => {
    const result = await collectInventory(homeserver, sender, now);
    if (!result.found) {
      return [paragraph('The homeserver has no account ', code(sender), '. If you think it should, write to the privacy contact.')];
    }
    await reportPolicyDiscrepancies(policyDiscrepancies(result.inventory, config.policy));
    return inventoryReport(result.inventory, config);
  },
};
