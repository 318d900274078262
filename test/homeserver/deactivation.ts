// What deactivating an account really does on each server (see "What
// deactivation really does" in the reference): none of them deletes media or
// messages; only Synapse clears the profile, emails and account data, and
// leaves rooms, in the background; Tuwunel's HTTP endpoint leaves rooms alone,
// its `!admin users deactivate` command leaves them and clears the profile.
import type { HomeserverModel } from './model.ts';
import type { FlavourDescriptor } from './flavours.ts';

/** Runs `fn` after `ms` unless the server closes first. */
export type Later = (ms: number, fn: () => void) => void;

function removeAccess(model: HomeserverModel, userId: string): void {
  const user = model.user(userId);
  if (!user) return;
  model.removeDevicesAndTokens(userId);
  user.pushers = [];
  user.password = null;
  user.deactivated = true;
}

/** POST /_synapse/admin/v1/deactivate/{user} on the given flavour. */
export function deactivateViaHttp(
  model: HomeserverModel, flavour: FlavourDescriptor, userId: string, erase: boolean, later: Later,
): void {
  const user = model.user(userId);
  if (!user) return;
  removeAccess(model, userId);
  if (flavour.deactivationClearsProfile) {
    user.emails = [];
    model.clearAccountData(userId);
    // Synapse clears the avatar, then the display name, only when erasing;
    // each change is a member event in every joined room.
    if (erase) {
      model.setProfile(userId, { avatarUrl: null });
      model.setProfile(userId, { displayName: null });
    }
  }
  if (erase) model.markErased(userId);
  const delay = flavour.deactivationLeaveDelayMs;
  // Synapse's "user parter" leaves rooms and rejects invites shortly afterwards.
  if (delay !== null) later(delay, () => model.leaveAllRooms(userId));
}

/** Tuwunel's `!admin users deactivate <user>`: leaves rooms and clears the profile; no erase. */
export function deactivateViaTuwunelCommand(model: HomeserverModel, userId: string): void {
  removeAccess(model, userId);
  model.setProfile(userId, { displayName: null, avatarUrl: null });
  model.leaveAllRooms(userId);
}
