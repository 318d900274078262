// Remembers which server/policy disagreements the admins have been told about.
import type { Db } from './database.ts';

/** Records the alert; true only the first time for this category. */
export function claimPolicyAlert(db: Db, category: string, now: number): boolean {
  return db.prepare('INSERT OR IGNORE INTO policy_alerts (category, alerted_at) VALUES (?, ?)').run(category, now).changes === 1;
}

/** Undoes a claim whose alert could not be sent, so that the next occurrence tries again. */
export function releasePolicyAlert(db: Db, category: string): void {
  db.prepare('DELETE FROM policy_alerts WHERE category = ?').run(category);
}
