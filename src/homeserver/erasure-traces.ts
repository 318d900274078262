// What deactivation leaves of a person besides their events and files, and how the bot
// removes it, through a short login as them where only they can ask:
// - room tags (favourites, low priority, their own): on Synapse they live apart from account
//   data and survive deactivation (measured on 1.160);
// - account data, global and per room: Synapse's deactivation removes it; Tuwunel keeps it
//   through every deactivation, and deletes it on the person's own DELETE (MSC3391);
// - pushers: deactivation removes those tied to a device; others (Tuwunel) are removed one by one;
// - key backups: removed by Synapse 1.160's deactivation, kept by 1.67 and Tuwunel;
// - profile fields besides the display name and avatar (MSC4133, e.g. m.tz).
// Cross-signing keys stay on every server (no API removes them): the read-back names them.
// Every removal reads first, so running it again removes only what is still there.
import type { z } from 'zod';
import { isHomeserverError } from './errors.ts';
import type { Capabilities } from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import type { PuppetToken } from './puppets.ts';
import { AccountData, BackupVersion, EmptyAnswer, KeysQuery, ProfileFields, PusherKeys, RoomTags } from './schemas.ts';

const PATHS = {
  accountData: '/_synapse/admin/v1/users/{userId}/accountdata',
  pushers: '/_synapse/admin/v1/users/{userId}/pushers',
  tags: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags',
  tag: '/_matrix/client/v3/user/{userId}/rooms/{roomId}/tags/{tag}',
  globalData: '/_matrix/client/unstable/org.matrix.msc3391/user/{userId}/account_data/{type}',
  roomData: '/_matrix/client/unstable/org.matrix.msc3391/user/{userId}/rooms/{roomId}/account_data/{type}',
  setPusher: '/_matrix/client/v3/pushers/set',
  backup: '/_matrix/client/v3/room_keys/version',
  backupVersion: '/_matrix/client/v3/room_keys/version/{version}',
  profile: '/_matrix/client/v3/profile/{userId}',
  profileField: '/_matrix/client/v3/profile/{userId}/{field}',
  keysQuery: '/_matrix/client/v3/keys/query',
} as const;

/** Profile fields a profile always has: cleared with the profile, not here. */
const BASIC_PROFILE = new Set(['displayname', 'avatar_url']);
/** More backup versions than this without the list emptying: something is wrong. */
const MAX_BACKUPS = 100;

export type TraceTools = {
  admin: HomeserverHttp;
  /** The bot's client (with a puppet token per request). */
  bot: HomeserverHttp;
  features: () => Capabilities['features'];
  asUser<T>(userId: string, work: (token: PuppetToken) => Promise<T>): Promise<T>;
};

/** What was removed (counts), or is left (the read-back). */
export type Traces = {
  tags: number;
  accountData: number;
  pushers: number;
  keyBackups: number;
  profileFields: number;
};

export const NO_TRACES: Traces = { tags: 0, accountData: 0, pushers: 0, keyBackups: 0, profileFields: 0 };

/** Removes what the person left besides events and files, in the given rooms too; what went. */
export async function eraseTraces(tools: TraceTools, userId: string, roomIds: readonly string[]): Promise<Traces> {
  const f = tools.features();
  const accountData = await tools.admin.request('GET', endpoint(PATHS.accountData, { userId }), { schema: AccountData });
  const pushers = await tools.admin.request('GET', endpoint(PATHS.pushers, { userId }), { schema: PusherKeys });
  if (!f.loginAs) return NO_TRACES;
  return tools.asUser(userId, async (token) => {
    const as = async <S extends z.ZodType>(
      method: 'GET' | 'PUT' | 'DELETE' | 'POST',
      target: ReturnType<typeof endpoint> | string,
      schema: S,
      body?: unknown,
    ) =>
      tools.bot.request(method, target, {
        schema,
        token: await token(),
        ...(body === undefined ? {} : { body }),
        ...(method === 'GET' || method === 'DELETE' ? { retry: true } : {}),
      });
    const removed = { ...NO_TRACES };

    for (const roomId of roomIds) {
      for (const tag of Object.keys(await tagsIn(as, userId, roomId))) {
        await as('DELETE', endpoint(PATHS.tag, { userId, roomId, tag }), EmptyAnswer.loose());
        removed.tags++;
      }
    }
    // Where deactivation removes account data (Synapse) it is left to it; where it does not, deleted (MSC3391).
    if (f.accountDataDelete && !f.deactivationRemovesAccountData) {
      for (const { roomId, type } of accountDataLeft(accountData)) {
        await as(
          'DELETE',
          roomId === null ? endpoint(PATHS.globalData, { userId, type }) : endpoint(PATHS.roomData, { userId, roomId, type }),
          EmptyAnswer.loose(),
        );
        removed.accountData++;
      }
    }
    for (const pusher of pushers.pushers) {
      await as('POST', PATHS.setPusher, EmptyAnswer.loose(), { kind: null, app_id: pusher.app_id, pushkey: pusher.pushkey });
      removed.pushers++;
    }
    for (let version = await newestBackup(as); version !== null; version = await newestBackup(as)) {
      if (removed.keyBackups >= MAX_BACKUPS) throw new Error('the server kept listing key backups after deleting them');
      await as('DELETE', endpoint(PATHS.backupVersion, { version }), EmptyAnswer.loose());
      removed.keyBackups++;
    }
    for (const field of await extraProfileFields(as, userId)) {
      await as('DELETE', endpoint(PATHS.profileField, { userId, field }), EmptyAnswer.loose());
      removed.profileFields++;
    }
    return removed;
  });
}

/** What is left of the above (the read-back), and whether cross-signing keys are still served. */
export async function tracesLeft(
  tools: TraceTools,
  userId: string,
  roomIds: readonly string[],
): Promise<Traces & { crossSigning: boolean; unchecked: string | null }> {
  const accountData = await tools.admin.request('GET', endpoint(PATHS.accountData, { userId }), { schema: AccountData });
  const pushers = await tools.admin.request('GET', endpoint(PATHS.pushers, { userId }), { schema: PusherKeys });
  const keys = await tools.bot.request('POST', PATHS.keysQuery, { schema: KeysQuery, body: { device_keys: { [userId]: [] } }, retry: true });
  const left = {
    ...NO_TRACES,
    accountData: accountDataLeft(accountData).length,
    pushers: pushers.pushers.length,
    crossSigning: keys.master_keys?.[userId] !== undefined && keys.master_keys[userId] !== null,
  };
  // Tags, key backups and profile fields only the user can be asked about.
  if (!tools.features().loginAs) return { ...left, unchecked: AS_USER_UNAVAILABLE };
  try {
    return await tools.asUser(userId, async (token) => {
      const as = async <S extends z.ZodType>(method: 'GET', target: ReturnType<typeof endpoint> | string, schema: S) =>
        tools.bot.request(method, target, { schema, token: await token(), retry: true });
      let tags = 0;
      for (const roomId of roomIds) tags += Object.keys(await tagsIn(as, userId, roomId)).length;
      return {
        ...left,
        tags,
        keyBackups: (await newestBackup(as)) === null ? 0 : 1,
        profileFields: (await extraProfileFields(as, userId)).length,
        unchecked: null,
      };
    });
  } catch (error) {
    // The server would not let the bot read as the user: what only they can read is not taken as gone.
    if (isHomeserverError(error, 'forbidden') || isHomeserverError(error, 'unauthorized'))
      return { ...left, unchecked: `the server would not let the bot read as the user (${error.userMessage})` };
    throw error;
  }
}

const AS_USER_UNAVAILABLE = 'this server has no login-as, so only the user could read them';

/**
 * The account data still holding something: every type with content, global and per room (the
 * tags are read apart). A deleted type stays listed with empty content on Tuwunel (MSC3391's
 * tombstone, src/service/account_data/mod.rs): that is the deletion, not data.
 */
function accountDataLeft(answer: z.infer<typeof AccountData>): { roomId: string | null; type: string }[] {
  const holds = (content: unknown) => typeof content === 'object' && content !== null && Object.keys(content).length > 0;
  const global = Object.entries(answer.account_data.global)
    .filter(([, content]) => holds(content))
    .map(([type]) => ({ roomId: null, type }));
  const rooms = Object.entries(answer.account_data.rooms).flatMap(([roomId, types]) =>
    Object.entries(types)
      .filter(([type, content]) => type !== 'm.tag' && holds(content))
      .map(([type]) => ({ roomId, type })),
  );
  return [...global, ...rooms];
}

type AsUser = <S extends z.ZodType>(method: 'GET', target: ReturnType<typeof endpoint> | string, schema: S) => Promise<z.output<S>>;

/** The person's tags in a room; none where the server will not say for this room (unknown, or purged). */
async function tagsIn(as: AsUser, userId: string, roomId: string): Promise<Record<string, unknown>> {
  try {
    return (await as('GET', endpoint(PATHS.tags, { userId, roomId }), RoomTags)).tags;
  } catch (error) {
    if (isHomeserverError(error, 'not-found') || isHomeserverError(error, 'forbidden')) return {};
    throw error;
  }
}

/** The newest key backup's version, or null when there is none (404 M_NOT_FOUND). */
async function newestBackup(as: AsUser): Promise<string | null> {
  try {
    return (await as('GET', PATHS.backup, BackupVersion)).version;
  } catch (error) {
    if (isHomeserverError(error, 'not-found') || isHomeserverError(error, 'unsupported')) return null;
    throw error;
  }
}

/** Profile fields besides the display name and avatar; none where the profile is gone (404) or the server has none. */
async function extraProfileFields(as: AsUser, userId: string): Promise<string[]> {
  try {
    return Object.keys(await as('GET', endpoint(PATHS.profile, { userId }), ProfileFields)).filter((key) => !BASIC_PROFILE.has(key));
  } catch (error) {
    if (isHomeserverError(error, 'not-found') || isHomeserverError(error, 'unsupported')) return [];
    throw error;
  }
}
