// What deactivating an account really does on each server (see "What
// deactivation really does" in the reference): none of them deletes media or
// messages; only Synapse clears the profile, emails and account data, and
// leaves rooms, in the background; Tuwunel's HTTP endpoint leaves rooms alone,
// its `!admin users deactivate` command leaves and forgets them and clears the profile.

import type { FlavourDescriptor } from './flavours.ts';
import type { HomeserverModel } from './model.ts';

/** Runs `fn` after `ms` unless the server closes first. */
export type Later = (ms: number, fn: () => void) => void;

function removeAccess(model: HomeserverModel, userId: string, allPushers = true): void {
  const user = model.user(userId);
  if (!user) return;
  const devices = new Set(user.devices.keys());
  model.removeDevicesAndTokens(userId);
  // Tuwunel removes a device's pushers with the device; Synapse removes every pusher.
  user.pushers = allPushers ? [] : user.pushers.filter((p) => !p.deviceId || !devices.has(p.deviceId));
  user.password = null;
  user.deactivated = true;
}

/** POST /_synapse/admin/v1/deactivate/{user} on the given flavour. */
export function deactivateViaHttp(model: HomeserverModel, flavour: FlavourDescriptor, userId: string, erase: boolean, later: Later): void {
  const user = model.user(userId);
  if (!user) return;
  const removes = flavour.deactivationRemoves;
  removeAccess(model, userId, removes.allPushers);
  if (removes.keyBackup) delete user.keyBackup;
  if (flavour.deactivationClearsProfile) {
    user.emails = [];
    model.clearAccountData(userId);
  }
  if (erase && removes.profileOnErase === 'member-events') {
    // Synapse before 1.150 clears the avatar, then the display name; each change is a member
    // event in every joined room.
    model.setProfile(userId, { avatarUrl: null });
    model.setProfile(userId, { displayName: null });
  }
  if (erase && removes.profileOnErase === 'deleted') {
    // Synapse 1.150+ deletes the profile row, custom fields included, and leaves the rooms' member events to the parter.
    user.displayName = null;
    user.avatarUrl = null;
    user.profileFields.clear();
    user.profileDeleted = true;
  }
  if (erase) model.markErased(userId);
  const delay = flavour.deactivationLeaveDelayMs;
  // Synapse's "user parter" leaves rooms and rejects invites shortly afterwards.
  if (delay !== null) later(delay, () => model.leaveAllRooms(userId));
}

/**
 * Tuwunel's `!admin users deactivate [--no-leave-rooms] <user>` (src/admin/user/deactivate.rs,
 * src/service/deactivate/mod.rs full_deactivate). Any valid local ID will do: for a user that
 * does not exist, setting the password to "" creates a deactivated account record
 * (src/service/users/mod.rs, deactivate_account), so the server reports a user afterwards.
 * Without --no-leave-rooms it also clears every profile key (one member event per joined
 * room), demotes the user where their power lets them (logged at info level), and leaves
 * every joined, invited and knocked room and forgets it. No erase.
 */
export function deactivateViaTuwunelCommand(
  model: HomeserverModel,
  userId: string,
  opts: {
    leaveRooms: boolean;
    log: (message: string) => void /** Leaving each room is a step of its own (the admin room paces them). */;
    defer?: (step: () => void) => void;
  },
): void {
  if (!model.user(userId)) {
    model.addUser({ localpart: userId.slice(1, userId.indexOf(':')), deactivated: true });
    model.setProfile(userId, { displayName: null });
  }
  removeAccess(model, userId, false);
  if (!opts.leaveRooms) return;
  model.user(userId)?.profileFields.clear();
  model.setProfile(userId, { displayName: null, avatarUrl: null });
  for (const roomId of model.joinedRooms(userId)) {
    if (!canDemoteSelf(model, roomId, userId)) continue;
    const content = structuredClone(model.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {});
    delete (content['users'] as Record<string, unknown> | undefined)?.[userId];
    model.sendEvent(roomId, userId, 'm.room.power_levels', content, { stateKey: '' });
    opts.log(`Demoted ${userId} in ${roomId} as part of account deactivation`);
  }
  const defer = opts.defer ?? ((step: () => void) => step());
  for (const { roomId, membership } of model.memberships(userId)) {
    if (membership !== 'join' && membership !== 'invite' && membership !== 'knock') continue;
    defer(() => {
      // The room may have gone, or the user left it, while the command waited its turn.
      if (!model.room(roomId)) return;
      const now = model.membership(roomId, userId);
      if (now === 'join' || now === 'invite' || now === 'knock') model.leave(roomId, userId);
      model.forget(roomId, userId);
    });
  }
}

/** ruma's user_can_change_user_power_level for oneself, or the room's creator. */
function canDemoteSelf(model: HomeserverModel, roomId: string, userId: string): boolean {
  const content = model.stateEvent(roomId, 'm.room.power_levels', '')?.content ?? {};
  const events = (content['events'] ?? {}) as Record<string, unknown>;
  const needed = events['m.room.power_levels'] ?? content['state_default'] ?? 50;
  const creator = model.stateEvent(roomId, 'm.room.create', '')?.sender;
  return model.powerLevel(roomId, userId) >= (typeof needed === 'number' ? needed : 50) || creator === userId;
}
