// What the admin room is told unprompted, each thing at most once: that server and policy
// disagree on a category (once per category, ever), and the notes about the server (posted
// again only when they changed). What they say is decided in admin-notices.ts.
import type { CategoryId } from '../config/categories.ts';
import type { Logger } from '../log.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { Db } from '../store/database.ts';
import { readMeta, writeMeta } from '../store/meta.ts';
import { claimPolicyAlert, releasePolicyAlert } from '../store/policy-alerts.ts';
import * as adminNotices from './admin-notices.ts';

/** meta key: what the last start-up notice about the server said. */
const SERVER_NOTES_DIGEST = 'server_notes_digest';

export type AdminTelling = { db: Db; toAdmins: Notifier['toAdmins']; log: Logger; now: () => number };

/** Tells the admins (once per category, ever) where server and policy disagree. */
export async function reportPolicyDiscrepancies({ db, toAdmins, log, now }: AdminTelling, categories: CategoryId[]): Promise<void> {
  for (const category of categories) {
    if (!claimPolicyAlert(db, category, now())) continue;
    log.warn(`server and policy disagree on category ${category}`);
    const told = await toAdmins(adminNotices.policyDisagreement(category), `policy-alert:${category}`).catch((error: unknown) => {
      releasePolicyAlert(db, category); // told next time instead
      throw error;
    });
    if (told === null) releasePolicyAlert(db, category);
  }
}

/** The start-up notes about the homeserver, posted only when they differ from the last ones posted. */
export async function postServerNotes({ db, toAdmins, log }: AdminTelling, notes: string[]): Promise<void> {
  const { digest, post } = adminNotices.serverNotesToPost(notes, readMeta(db, SERVER_NOTES_DIGEST));
  if (post && (await toAdmins(adminNotices.serverNotes(notes), `server-notes:${digest}`)) === null) return;
  if (!post && notes.length > 0) log.info('the notes about this homeserver are unchanged since they were last posted; not posting them again');
  writeMeta(db, SERVER_NOTES_DIGEST, digest);
}
