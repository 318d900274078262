// What an erasure asks of the homeserver: one interface, implemented per server in
// src/homeserver with the server's capabilities. Every operation is idempotent: a step
// interrupted by a crash runs it again and must end in the same place.
import type { Capabilities, Membership } from '../homeserver/homeserver.ts';

/** Where a redaction stopped, so that a restart resumes it instead of starting over. */
export type RedactionCheckpoint = Record<string, unknown>;

export type RedactionProgress = { roomsDone: number; roomsTotal: number; redacted: number };

export type RedactionResult = {
  redacted: number;
  /** Rooms whose events could not be redacted here, with why (e.g. a room made elsewhere with no local admin). */
  failedRooms: { roomId: string; reason: string }[];
};

/** What reading everything back found; the erasure is "verified" only when every check passed. */
export type ReadBack = {
  deactivated: boolean;
  /** null where the server cannot say (Synapse 1.67 has no erased flag). */
  erased: boolean | null;
  roomsStillIn: number;
  media: number;
  devices: number;
  emails: number;
  profileLeft: boolean;
  /** Events of the user whose content any reader could still see, in the recorded rooms. */
  readableEvents: number;
};

export interface ErasureOperations {
  readonly capabilities: Capabilities;
  /** Every room the user is or was in; throws when the rooms they left cannot be listed. */
  allMemberships(userId: string): Promise<Membership[]>;
  redactEvents(
    userId: string,
    roomIds: readonly string[],
    resume: { checkpoint: RedactionCheckpoint | null; save(checkpoint: RedactionCheckpoint): void; progress(p: RedactionProgress): void; signal: AbortSignal },
  ): Promise<RedactionResult>;
  /** Deletes uploads until none is left; the number deleted. */
  deleteAllMedia(userId: string): Promise<number>;
  /** Removes email addresses and phone numbers; the number removed. */
  removeThreepids(userId: string): Promise<number>;
  deactivate(userId: string): Promise<void>;
  /** Where deactivation does not leave rooms and clear the profile (Tuwunel's HTTP one), does that. */
  leaveRoomsAndClearProfile(userId: string): Promise<void>;
  readBack(userId: string, roomIds: readonly string[]): Promise<ReadBack>;
}

export function failedChecks(readBack: ReadBack): string[] {
  const failed: string[] = [];
  if (!readBack.deactivated) failed.push('the account is still active');
  if (readBack.erased === false) failed.push('the account is not marked erased');
  if (readBack.roomsStillIn > 0) failed.push(`still in ${readBack.roomsStillIn} room(s)`);
  if (readBack.media > 0) failed.push(`${readBack.media} file(s) remain`);
  if (readBack.devices > 0) failed.push(`${readBack.devices} device(s) remain`);
  if (readBack.emails > 0) failed.push(`${readBack.emails} email address(es) or phone number(s) remain`);
  if (readBack.profileLeft) failed.push('the profile still has a display name or avatar');
  if (readBack.readableEvents > 0) failed.push(`${readBack.readableEvents} event(s) can still be read`);
  return failed;
}
