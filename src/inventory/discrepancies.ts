// Where the server holds what the operator's policy says is not kept. Pure.
import { CATEGORY_IDS, type CategoryId } from '../config/categories.ts';
import type { Policy } from '../config/policy.ts';
import { categoryFacts } from './facts.ts';
import type { Inventory } from './inventory.ts';

export function policyDiscrepancies(inventory: Inventory, policy: Policy): CategoryId[] {
  return CATEGORY_IDS.filter((id) => !policy.categories[id].stored && categoryFacts(inventory, id).facts.length > 0);
}
