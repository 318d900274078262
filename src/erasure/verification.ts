// What the read-back must find for an erasure to be called verified. Pure.
import type { ReadBack } from '../homeserver/homeserver.ts';

/** Every check the read-back failed, in words for the admins; empty when the erasure is verified. */
export function failedChecks(readBack: ReadBack): string[] {
  if (!readBack.accountFound) return ['the account could not be read back'];
  const failed: string[] = [];
  if (!readBack.deactivated) failed.push('the account is still active');
  if (readBack.erased === false) failed.push('the account is not marked erased');
  if (readBack.roomsStillIn > 0) failed.push(`the user is still in ${readBack.roomsStillIn} room(s)`);
  if (readBack.media > 0) failed.push(`${readBack.media} uploaded file(s) remain`);
  if (readBack.devices > 0) failed.push(`${readBack.devices} device(s) remain`);
  if (readBack.threepids > 0) failed.push(`${readBack.threepids} email address(es) or phone number(s) remain`);
  if (readBack.profileLeft) failed.push('the profile still has a display name or avatar');
  if (readBack.readableEvents > 0) failed.push(`${readBack.readableEvents} event(s) of the user can still be read`);
  if (readBack.unreadableRooms > 0) failed.push(`${readBack.unreadableRooms} room(s) could not be read back to check for the user’s events`);
  return failed;
}
