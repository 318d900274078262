// The second half of !whatdoyouhave: the access request's job counts the messages the user
// sent (a walk over every event of theirs, tens of seconds on a long history) and completes
// the answer already sent by editing the whole report, count included, into it. A job, so
// that a restart resumes the count and the user still gets it; a few at a time, so that many
// people asking at once never hammer the homeserver.

import type { CategoryId } from '../config/categories.ts';
import type { BotConfig } from '../config/load.ts';
import { HomeserverError } from '../homeserver/errors.ts';
import type { Homeserver } from '../homeserver/homeserver.ts';
import { troubleDescription } from '../homeserver/trouble.ts';
import { JobFailure } from '../jobs/job.ts';
import type { JobHandler } from '../jobs/runner.ts';
import { type Chat, keepTyping } from '../matrix/chat.ts';
import { code, paragraph } from '../render/document.ts';
import { collectInventoryWithoutCount, countMessages, lookUpRecipients } from './collect.ts';
import { policyDiscrepancies } from './discrepancies.ts';
import { inventoryReport } from './report.ts';

/** Counts running at once, for everyone together. */
const COUNTS_AT_ONCE = 4;
const MAX_ATTEMPTS = 3;

export type CountJobOptions = {
  config: BotConfig;
  homeserver: Homeserver;
  /** Typing shows in the direct chat while the count runs. */
  chat: Chat;
  now: () => number;
  /** Tells the admins where server and policy disagree (once per category, ever). */
  reportPolicyDiscrepancies: (categories: CategoryId[]) => Promise<void>;
};

const trouble = (error: HomeserverError) => troubleDescription(error.kind).replace(/\.$/, '');

export function messageCountHandler(options: CountJobOptions): JobHandler {
  const { config, homeserver, now } = options;
  return {
    kind: 'access',
    concurrency: COUNTS_AT_ONCE,
    maxAttempts: MAX_ATTEMPTS,
    // It reports no progress: the answer already sent says the count is coming.
    describeProgress: () => [],
    run: async (ctx) => {
      const lastAttempt = ctx.job.attempts >= MAX_ATTEMPTS;
      const stopTyping = ctx.request.roomId === null ? async () => {} : keepTyping(options.chat, ctx.request.roomId);
      try {
        const base = await collectInventoryWithoutCount(homeserver, ctx.request.userId, now);
        if (!base.found) return [paragraph('The homeserver has no account ', code(ctx.request.userId), ' any more.')];
        let messages;
        try {
          messages = await countMessages(homeserver, base.inventory);
        } catch (error) {
          // On the last attempt the answer is completed without the count rather than not at all.
          if (!(error instanceof HomeserverError) || !lastAttempt) throw error;
          messages = {
            available: false as const,
            reason: `they could not be counted just now: ${trouble(error)}. Ask again later, or ask the privacy contact`,
          };
        }
        let recipients;
        try {
          recipients = await lookUpRecipients(homeserver, base.inventory);
        } catch (error) {
          if (!(error instanceof HomeserverError) || !lastAttempt) throw error;
          recipients = {
            available: false as const,
            reason: `they could not be looked up just now: ${trouble(error)}. Ask again later, or ask the privacy contact`,
          };
        }
        const inventory = { ...base.inventory, messages, recipients };
        await options.reportPolicyDiscrepancies(policyDiscrepancies(inventory, config.policy));
        return inventoryReport(inventory, config);
      } catch (error) {
        if (error instanceof HomeserverError) throw new JobFailure(trouble(error), { retryable: error.kind !== 'unsupported', cause: error });
        throw error;
      } finally {
        await stopTyping();
      }
    },
  };
}
