// The test homeserver's `synapse` flavour against the facts measured on a real Synapse
// (test/support/synapse-facts/; test/real/synapse-facts.test.ts runs the same against one),
// with Synapse's default rate limits on, as operators run them.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestHomeserver, type TestHomeserver } from '../../src/test-homeserver/index.ts';
import { uploadsServedOnlyWithAuthentication } from '../support/synapse-facts/media.ts';
import { messagesLimitedPerUser } from '../support/synapse-facts/rate-limits.ts';
import { limitedSyncLeavesAGapMessagesReads } from '../support/synapse-facts/sync-gap.ts';
import { roomTagsApartFromAccountData } from '../support/synapse-facts/tags.ts';
import { testHomeserverTarget, type FactTarget } from '../support/synapse-facts/target.ts';

describe('the test homeserver holds to what a real Synapse does', () => {
  let hs: TestHomeserver;
  let target: FactTarget;
  beforeAll(async () => {
    hs = await startTestHomeserver({ flavour: 'synapse', rateLimits: true });
    target = await testHomeserverTarget(hs);
  });
  afterAll(() => hs?.close());

  it('serves uploads only through authenticated media', () => uploadsServedOnlyWithAuthentication(target));
  it('limits the events each person makes (rc_message), joins included, until an admin lifts it', () => messagesLimitedPerUser(target));
  it('leaves a gap in a limited sync that /messages reads exactly', () => limitedSyncLeavesAGapMessagesReads(target));
  it('keeps room tags apart from the account data the admin API lists', () => roomTagsApartFromAccountData(target));
});
