// The facts the test homeserver models about Synapse (issue 15, item 5, and what the real tier
// found on the way), checked against a real Synapse with its default rate limits, as operators
// run them, with the very scenarios the e2e tier runs against the test homeserver's `synapse`
// flavour (test/support/homeserver-facts/), so both tiers give the same answers.
import { afterAll, beforeAll, it } from 'vitest';
import { synapseDeactivationLeftovers } from '../support/homeserver-facts/deactivation-leftovers.ts';
import { fetchEventOnSynapse } from '../support/homeserver-facts/fetch-event.ts';
import { forgottenRoomOnSynapse } from '../support/homeserver-facts/forgotten-rooms.ts';
import { uploadsServedOnlyWithAuthentication } from '../support/homeserver-facts/media.ts';
import { messagesWithoutFromReadForward } from '../support/homeserver-facts/messages-paging.ts';
import { messageRateLimitAndOverride, messagesLimitedPerUser } from '../support/homeserver-facts/rate-limits.ts';
import { roomDetailsAndNotJoined } from '../support/homeserver-facts/room-details.ts';
import { roomDeletionWithPurge } from '../support/homeserver-facts/room-purge.ts';
import { roomVersionEleven } from '../support/homeserver-facts/room-version.ts';
import { roomsListOnSynapse } from '../support/homeserver-facts/rooms-list.ts';
import { stateDroppedWhenLastLocalMemberLeaves } from '../support/homeserver-facts/rooms-nobody-local.ts';
import { scheduledRedactionTasks } from '../support/homeserver-facts/scheduled-tasks.ts';
import { type FactServer, factServer } from '../support/homeserver-facts/server.ts';
import { limitedSyncLeavesAGapMessagesReads } from '../support/homeserver-facts/sync-gap.ts';
import { roomTagsApartFromAccountData } from '../support/homeserver-facts/tags.ts';
import { userRedactionTaskOnSynapse } from '../support/homeserver-facts/user-redaction-task.ts';
import { describeWithSynapse, type RealSynapse, startRealSynapse } from './support/synapse.ts';

describeWithSynapse('what a real Synapse does, as the test homeserver models it', () => {
  let synapse: RealSynapse;
  let server: FactServer;
  beforeAll(async () => {
    synapse = await startRealSynapse();
    server = await factServer({
      url: synapse.url,
      serverName: synapse.serverName,
      registration: synapse,
      hasRateLimitOverride: true,
      admin: synapse.admin,
    });
  });
  afterAll(async () => {
    await synapse?.close();
  });

  it('fact 1: current state dropped when the last local member leaves', async () => {
    await stateDroppedWhenLastLocalMemberLeaves(server);
  });

  it('fact 2: a forgotten room stays in /memberships as leave and leaves sync', async () => {
    await forgottenRoomOnSynapse(server);
  });

  it('fact 3: the admin rooms list, its shape, paging, orders and search; rooms nobody local is in are listed', async () => {
    await roomsListOnSynapse(server);
  });

  it('fact 4: deleting a room with purge removes it, its events and its memberships; the status by delete ID and by room', async () => {
    await roomDeletionWithPurge(server);
  });

  it('fact 5: the redaction task takes messages, encrypted events and joins, also where the person left or nobody local is; a second task redacts them all again', async () => {
    await userRedactionTaskOnSynapse(server);
  });

  it('fact 6: scheduled_tasks lists the redaction tasks of a user', async () => {
    await scheduledRedactionTasks(server);
  });

  it('fact 7: rc_message limits sends, redactions and room creation; the override lifts it', async () => {
    await messageRateLimitAndOverride(server);
  });

  it('fact 7: rc_message limits the events each person makes, joins included, until an admin lifts it', async () => {
    await messagesLimitedPerUser(server);
  });

  it('fact 8: fetch_event serves the stored event whole, redacted or erased, and 404 once purged', async () => {
    await fetchEventOnSynapse(server);
  });

  it('fact 9: deactivation with erase removes account data, pushers, the backup, the profile and device keys; room tags and cross-signing keys stay', async () => {
    await synapseDeactivationLeftovers(server);
  });

  it('fact 11 (found on the way): /messages without from reads forward from the beginning, dir defaults to f', async () => {
    await messagesWithoutFromReadForward(server);
  });

  it('fact 11 (found on the way): room details with tombstoned and replacement_room; the not-joined refusal without "(None)"', async () => {
    await roomDetailsAndNotJoined(server);
  });

  it('fact 11 (found on the way): new rooms are version 11, without creator, with redacts in the redaction content', async () => {
    await roomVersionEleven(server);
  });

  it('found by the real tier: uploads are served only through authenticated media', async () => {
    await uploadsServedOnlyWithAuthentication(server);
  });

  it('found by the real tier: a limited sync leaves a gap that /messages reads exactly', async () => {
    await limitedSyncLeavesAGapMessagesReads(server);
  });

  it('found by the real tier: room tags are kept apart from the account data the admin API lists', async () => {
    await roomTagsApartFromAccountData(server);
  });
});
