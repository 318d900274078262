// What a real Synapse does that the test homeserver models (test/support/synapse-facts/;
// test/homeserver/synapse-facts.test.ts holds the test homeserver to the same), checked here
// against the real one, with its default rate limits.
import { afterAll, beforeAll, it } from 'vitest';
import { uploadsServedOnlyWithAuthentication } from '../support/synapse-facts/media.ts';
import { messagesLimitedPerUser } from '../support/synapse-facts/rate-limits.ts';
import { limitedSyncLeavesAGapMessagesReads } from '../support/synapse-facts/sync-gap.ts';
import { roomTagsApartFromAccountData } from '../support/synapse-facts/tags.ts';
import { describeWithSynapse, startRealSynapse, type RealSynapse } from './support/synapse.ts';

describeWithSynapse('a real Synapse, as the test homeserver models it', () => {
  let synapse: RealSynapse;
  beforeAll(async () => {
    synapse = await startRealSynapse();
  });
  afterAll(() => synapse?.close());

  it('serves uploads only through authenticated media', () => uploadsServedOnlyWithAuthentication(synapse));
  it('limits the events each person makes (rc_message), joins included, until an admin lifts it', () => messagesLimitedPerUser(synapse));
  it('leaves a gap in a limited sync that /messages reads exactly', () => limitedSyncLeavesAGapMessagesReads(synapse));
  it('keeps room tags apart from the account data the admin API lists', () => roomTagsApartFromAccountData(synapse));
});
