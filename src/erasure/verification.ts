// What the read-back must find for an erasure to be called verified. Pure.
import type { ReadBack } from '../homeserver/homeserver.ts';

export type CheckOptions = {
  /** The erased marker is set after the read-back (where setting it earlier would hide the user's events from it). */
  markerLater?: boolean;
};

/** Every check the read-back failed, in words for the admins; empty when the erasure is verified. */
export function failedChecks(readBack: ReadBack, options: CheckOptions = {}): string[] {
  if (!readBack.accountFound) return ['the account could not be read back'];
  const failed: string[] = [];
  if (!readBack.deactivated) failed.push('the account is still active');
  if (readBack.erased === false && !options.markerLater) failed.push('the account is not marked erased');
  if (readBack.roomsStillIn > 0) failed.push(`the user is still in ${readBack.roomsStillIn} room(s)`);
  if (readBack.media > 0) failed.push(`${readBack.media} uploaded file(s) remain`);
  if (readBack.devices > 0) failed.push(`${readBack.devices} device(s) remain`);
  if (readBack.threepids > 0) failed.push(`${readBack.threepids} email address(es) or phone number(s) remain`);
  if (readBack.profileLeft) failed.push('the profile still has a display name or avatar');
  if (readBack.readableEvents > 0) failed.push(`${readBack.readableEvents} event(s) of the user can still be read`);
  if (readBack.unprovenEvents > 0) {
    failed.push(
      `${readBack.unprovenEvents} event(s) of the user were shown without content but not as redacted: the server may hide them from the bot only, while members still see them`,
    );
  }
  if (readBack.unreadableRooms > 0) failed.push(`${readBack.unreadableRooms} room(s) could not be read back to check for the user’s events`);
  if (readBack.roomsNotChecked.length > 0) {
    failed.push(
      `${readBack.roomsNotChecked.length} room(s) of this server could not be checked for the user’s events (${readBack.roomsNotChecked.map((r) => `${r.roomId}: ${r.reason}`).join('; ')})`,
    );
  }
  if (readBack.purgedRoomsLeft > 0) failed.push(`${readBack.purgedRoomsLeft} room(s) that were deleted are still on the server`);
  const { tags, accountData, pushers, keyBackups, profileFields } = readBack.traces;
  if (tags > 0) failed.push(`${tags} room tag(s) remain`);
  if (accountData > 0) failed.push(`${accountData} kind(s) of account data remain`);
  if (pushers > 0) failed.push(`${pushers} pusher(s) remain`);
  if (keyBackups > 0) failed.push('a key backup remains');
  if (profileFields > 0) failed.push(`${profileFields} profile field(s) remain`);
  if (readBack.tracesUnchecked !== null) failed.push(`room tags, key backups and profile fields could not be read back: ${readBack.tracesUnchecked}`);
  return failed;
}

/**
 * Whether trying the read-back again can change its verdict: not where what is left is only what
 * the redaction already found it could not reach (rooms it named) and rooms the server cannot let
 * the bot check. Anything else may be a server still finishing in the background.
 */
export function onlyWhatCannotBeReached(readBack: ReadBack, notRedacted: ReadonlySet<string>, options: CheckOptions = {}): boolean {
  const reachableLeft = readBack.roomsWithEventsLeft.filter((roomId) => !notRedacted.has(roomId));
  const rest = failedChecks({ ...readBack, readableEvents: 0, unprovenEvents: 0, roomsWithEventsLeft: [], roomsNotChecked: [] }, options);
  return reachableLeft.length === 0 && rest.length === 0 && (readBack.readableEvents + readBack.unprovenEvents > 0 || readBack.roomsNotChecked.length > 0);
}
