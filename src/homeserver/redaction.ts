// Redacting every event of a user that carries content, in every room they are or were in,
// whatever the server offers, and so that a crash at any point resumes without doing anything
// twice.
//
// 1. Where the server has a redaction task (POST /v1/user/{u}/redact, Synapse >= 1.116 and
//    Tuwunel >= 1.8.2), it runs once, first, over the rooms it can reach, listed explicitly
//    (`rooms: []` would mean only the rooms the user is in now). Synapse's task redacts again
//    what is already redacted (measured on 1.160: two tasks, two redactions per event), so it
//    is never asked twice: that it is being asked for is recorded before the request, its ID
//    after; a restart with the ID follows the same task, and a restart with only the mark
//    looks the task up (scheduled_tasks) instead of asking again, or, where the server cannot
//    list its tasks, waits until the task's work settles and starts none. The pass after
//    deactivation (the sweep) never asks for a task.
// 2. Then every room is read, and whatever is still readable (what the task could not redact,
//    kinds it does not take, everything on a server without it) is redacted one by one through
//    the client API: as the user where they are still a member (a short login as them); else
//    as the bot where it has the power; else, where the server can make the bot a room admin
//    (Synapse's make_room_admin), the bot joins, redacts and leaves; else, in a public room,
//    the user rejoins, redacts their events and leaves. A room where none of that is possible
//    is reported, never counted as redacted. Each room is recorded once finished, and a room
//    the bot (or the user) entered is recorded before it is entered, so that a restart leaves
//    it again and never enters twice. Nothing is redacted twice: every pass reads what is
//    still readable first.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ERASABLE_TYPES, readBackState } from './erasable-events.ts';
import { isHomeserverError, isRoomRefusal } from './errors.ts';
import type { Capabilities, RedactionResult, RedactionResume, SentEventsOptions, StoredEvent } from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import type { PuppetToken } from './puppets.ts';
import { type RoomAuthority, RoomState, roomAuthority } from './room-authority.ts';
import { EmptyAnswer, EventIdAnswer, RedactAnswer, RedactStatus, RoomIdAnswer, ScheduledTasks } from './schemas.ts';

const PATHS = {
  redactUser: '/_synapse/admin/v1/user/{userId}/redact',
  redactStatus: '/_synapse/admin/v1/user/redact_status/{redactId}',
  scheduledTasks: '/_synapse/admin/v1/scheduled_tasks',
  roomState: '/_synapse/admin/v1/rooms/{roomId}/state',
  makeRoomAdmin: '/_synapse/admin/v1/rooms/{roomId}/make_room_admin',
  redact: '/_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}',
  join: '/_matrix/client/v3/rooms/{roomId}/join',
  leave: '/_matrix/client/v3/rooms/{roomId}/leave',
} as const;

/**
 * Events per room the server's task takes on. Synapse and Tuwunel count already redacted events
 * against the limit (1000 by default), so a low one would never get past the newest ones.
 */
const TASK_EVENT_LIMIT = 100_000;
/** The scheduled task's action name (synapse/handlers/admin.py; Tuwunel's REDACT_USER_ACTION). */
const REDACT_ACTION = 'redact_all_events';
/** How long to keep asking for a task while the server says one is still running (400). */
const TASK_BUSY_ATTEMPTS = 120;
const MAX_POLL_MS = 5_000;

/** How long (in first polling waits: 10 s by default) a lost task's redactions must stay unchanged before the bot takes over. */
const SETTLED_POLLS = 20;

const RoomOutcome = z.union([z.object({ redacted: z.number().int() }), z.object({ notRedacted: z.string() })]);
type RoomOutcome = z.infer<typeof RoomOutcome>;

/** What the job keeps of a redaction between runs. */
export const RedactionCheckpoint = z.object({
  task: z
    .discriminatedUnion('state', [
      // Asked for (perhaps started) but its ID never heard; `at`: when (a task found later must be this one).
      z.object({ state: z.literal('asking'), at: z.number().optional() }),
      z.object({ state: z.literal('running'), redactId: z.string() }),
      z.object({ state: z.literal('done'), failed: z.number().int() }),
    ])
    .optional(),
  /** Rooms finished, with how many events were redacted one by one there, or why none could be. */
  rooms: z.record(z.string(), RoomOutcome).default({}),
  /** Rooms the bot, or the user, joined only to redact, and has not left yet. */
  entered: z.record(z.string(), z.enum(['bot', 'user'])).default({}),
});
export type RedactionCheckpoint = z.infer<typeof RedactionCheckpoint>;

export type RedactionTools = {
  admin: HomeserverHttp;
  /** The bot's own token (and puppet tokens, per request). */
  bot: HomeserverHttp;
  botUserId: string;
  features: () => Capabilities['features'];
  /** Runs `work` as the user through a short login-as, ended afterwards. */
  asUser<T>(userId: string, work: (token: PuppetToken) => Promise<T>): Promise<T>;
  sentEvents(userId: string, roomId: string, options: SentEventsOptions): AsyncIterable<StoredEvent[]>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** First wait between two looks at the server's task; it grows up to 5 s. */
  pollMs: number;
};

export type RedactionOptions = {
  /** Ask the server's task first (the first pass only: a second task would redact everything again). */
  serverTask: boolean;
  /** The rooms the task is given (those it can reach); the one-by-one pass goes over every room. */
  taskRooms?: readonly string[];
};

export const NO_ONE_CAN_REDACT = 'nobody on this server can redact there: the user is no longer a member, and the bot has no power in the room';
export const NO_LOCAL_ADMIN =
  'no member of this server could make the bot an admin there (none joined has the power, or none is ' +
  'left, as in a room made on another server), and the room is not public';

/** The events of the user in the room that anyone could still read; [] where the room cannot be read at all (never joined, unknown here). */
export async function readableEventIds(tools: Pick<RedactionTools, 'sentEvents'>, userId: string, roomId: string): Promise<string[]> {
  return (await readBackEvents(tools, userId, roomId)).readable;
}

/**
 * What reading the user's events in a room back shows: those still readable, and those shown
 * without content but with no proof of redaction (a pruned copy: the server hides them from
 * this reader, and members may still see them). Both empty where the room cannot be read at
 * all (never joined, unknown here).
 */
export async function readBackEvents(
  tools: Pick<RedactionTools, 'sentEvents'>,
  userId: string,
  roomId: string,
): Promise<{ readable: string[]; unproven: string[] }> {
  const found = { readable: [] as string[], unproven: [] as string[] };
  try {
    for await (const page of tools.sentEvents(userId, roomId, { types: [...ERASABLE_TYPES] })) {
      for (const event of page) {
        const state = readBackState(event, userId);
        if (state === 'readable') found.readable.push(event.event_id);
        else if (state === 'unproven') found.unproven.push(event.event_id);
      }
    }
  } catch (error) {
    if (isRoomRefusal(error)) return { readable: [], unproven: [] };
    throw error;
  }
  return found;
}

export async function redactUserEvents(
  tools: RedactionTools,
  userId: string,
  roomIds: readonly string[],
  resume: RedactionResume,
  options: RedactionOptions,
): Promise<RedactionResult> {
  let checkpoint = RedactionCheckpoint.parse(resume.checkpoint ?? {});
  const save = (change: Partial<RedactionCheckpoint>) => {
    checkpoint = { ...checkpoint, ...change };
    resume.save(checkpoint);
  };
  const report = () => resume.progress({ roomsDone: Object.keys(checkpoint.rooms).length, roomsTotal: roomIds.length, redacted: redactedOneByOne(checkpoint) });

  const taskRooms = options.taskRooms ?? roomIds;
  if (options.serverTask && tools.features().redactUser && checkpoint.task?.state !== 'done' && taskRooms.length > 0) {
    await runServerTask(tools, userId, taskRooms, roomIds, checkpoint.task, (task) => save({ task }), resume.signal);
  }
  for (const roomId of roomIds) {
    if (checkpoint.rooms[roomId] !== undefined) continue;
    resume.signal.throwIfAborted();
    const outcome = await redactInRoom(tools, userId, roomId, checkpoint.entered[roomId], (who) => save({ entered: { ...checkpoint.entered, [roomId]: who } }));
    const { [roomId]: _left, ...stillEntered } = checkpoint.entered;
    save({ rooms: { ...checkpoint.rooms, [roomId]: outcome }, entered: stillEntered });
    report();
  }
  return {
    serverTask: checkpoint.task?.state === 'done',
    serverTaskFailures: checkpoint.task?.state === 'done' ? checkpoint.task.failed : 0,
    redactedOneByOne: redactedOneByOne(checkpoint),
    roomsNotRedacted: Object.entries(checkpoint.rooms).flatMap(([roomId, o]) => ('notRedacted' in o ? [{ roomId, reason: o.notRedacted }] : [])),
  };
}

const redactedOneByOne = (checkpoint: RedactionCheckpoint): number =>
  Object.values(checkpoint.rooms).reduce((sum, o) => sum + ('redacted' in o ? o.redacted : 0), 0);

// ---- the server's own task ----

type Task = RedactionCheckpoint['task'];

async function runServerTask(
  tools: RedactionTools,
  userId: string,
  taskRooms: readonly string[],
  allRooms: readonly string[],
  task: Task,
  save: (task: NonNullable<Task>) => void,
  signal: AbortSignal,
): Promise<void> {
  let redactId: string | 'cannot-tell' | null = task?.state === 'running' ? task.redactId : null;
  // Asked before, the answer never heard: the task may exist. Find it rather than start a second.
  if (redactId === null && task?.state === 'asking') redactId = await findTask(tools, userId, task.at ?? 0);
  if (redactId === null) {
    const at = tools.now();
    save({ state: 'asking', at });
    redactId = await askForTask(tools, userId, taskRooms, at, signal);
    if (redactId !== 'cannot-tell') save({ state: 'running', redactId });
  }
  if (redactId === 'cannot-tell') {
    await waitUntilSettled(tools, userId, allRooms, signal);
    save({ state: 'done', failed: 0 });
    return;
  }
  save({ state: 'done', failed: await followTask(tools, redactId, signal) });
}

/**
 * The newest redaction task for the user started at or after `since` (the server's clock may
 * differ: a minute's grace), or null when there is none (the request never reached the server);
 * 'cannot-tell' where the server does not list its tasks.
 */
async function findTask(tools: RedactionTools, userId: string, since: number): Promise<string | null | 'cannot-tell'> {
  if (!tools.features().scheduledTasks) return 'cannot-tell';
  try {
    const { scheduled_tasks } = await tools.admin.request('GET', PATHS.scheduledTasks, {
      schema: ScheduledTasks,
      query: { action_name: REDACT_ACTION, resource_id: userId },
    });
    const mine = scheduled_tasks.filter((t) => t.action === REDACT_ACTION && t.resource_id === userId && (t.timestamp_ms ?? Infinity) >= since - 60_000);
    return mine.sort((a, b) => (b.timestamp_ms ?? 0) - (a.timestamp_ms ?? 0))[0]?.id ?? null;
  } catch (error) {
    if (isHomeserverError(error, 'unsupported')) return 'cannot-tell';
    throw error;
  }
}

/**
 * A task whose ID is lost and cannot be looked up may still be running: waits until the number
 * of the user's readable events stops falling for a while, so that the one-by-one pass after it
 * does not redact what the task is about to.
 */
async function waitUntilSettled(tools: RedactionTools, userId: string, roomIds: readonly string[], signal: AbortSignal): Promise<void> {
  const count = async () => {
    let readable = 0;
    for (const roomId of roomIds) readable += (await readableEventIds(tools, userId, roomId)).length;
    return readable;
  };
  const settled = SETTLED_POLLS * tools.pollMs;
  let last = await count();
  let stableSince = tools.now();
  while (tools.now() - stableSince < settled) {
    signal.throwIfAborted();
    await tools.sleep(Math.min(settled / 4, MAX_POLL_MS));
    const now = await count();
    if (now !== last) stableSince = tools.now();
    last = now;
  }
}

/**
 * Starts the task, never two: the request is not simply repeated (a retry after an answer that
 * was lost could start a second task). Where the answer is lost, or the server says a task for
 * this user is already running (400), the task is looked up; only where none was started is it
 * asked for again. Where the server cannot list its tasks, a lost answer ends this attempt: the
 * restart finds the mark and starts none.
 */
async function askForTask(
  tools: RedactionTools,
  userId: string,
  roomIds: readonly string[],
  since: number,
  signal: AbortSignal,
): Promise<string | 'cannot-tell'> {
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    try {
      const answer = await tools.admin.request('POST', endpoint(PATHS.redactUser, { userId }), {
        schema: RedactAnswer,
        body: { rooms: roomIds, limit: TASK_EVENT_LIMIT },
      });
      return answer.redact_id;
    } catch (error) {
      if (!isHomeserverError(error)) throw error;
      const busy = error.kind === 'bad-response' && error.status === 400;
      const lost = error.status === null || error.status >= 500;
      if ((!busy && !lost) || attempt >= TASK_BUSY_ATTEMPTS) throw error;
      // Busy: a task of an earlier attempt runs; it is followed as this one. Lost: perhaps it started.
      const found = await findTask(tools, userId, busy ? 0 : since);
      if (typeof found === 'string') return found;
      if (found === 'cannot-tell') {
        // Busy with a task that cannot be followed: it is let finish, and none is started after it.
        if (busy) return found;
        throw error;
      }
      await tools.sleep(pollDelay(tools.pollMs, attempt));
    }
  }
}

/** Follows the task to its end; how many redactions it reported failed. A task the server forgot (404) is over. */
async function followTask(tools: RedactionTools, redactId: string, signal: AbortSignal): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    let status: RedactStatus;
    try {
      status = await tools.admin.request('GET', endpoint(PATHS.redactStatus, { redactId }), { schema: RedactStatus });
    } catch (error) {
      // Tuwunel keeps its tasks in memory: after a restart of the server the ID is unknown.
      if (isHomeserverError(error, 'not-found')) return 0;
      throw error;
    }
    // A failed task (e.g. at a room the server does not know) leaves the rest to the pass below.
    if (status.status === 'complete' || status.status === 'failed') return Object.keys(status.failed_redactions ?? {}).length;
    await tools.sleep(pollDelay(tools.pollMs, attempt));
  }
}

const pollDelay = (first: number, attempt: number): number => Math.min(MAX_POLL_MS, first * 1.5 ** attempt);

// ---- one room, one event at a time ----

type Who = 'bot' | 'user';

async function redactInRoom(tools: RedactionTools, userId: string, roomId: string, entered: Who | undefined, enter: (who: Who) => void): Promise<RoomOutcome> {
  const people = { userId, botUserId: tools.botUserId };
  const state = async (): Promise<RoomAuthority | null> => {
    try {
      return roomAuthority(await tools.admin.request('GET', endpoint(PATHS.roomState, { roomId }), { schema: RoomState }), people);
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return null;
      throw error;
    }
  };
  let events = await readableEventIds(tools, userId, roomId);
  let room = events.length > 0 || entered !== undefined ? await state() : null;
  const redacted = events.length;
  const finish = async (outcome: RoomOutcome): Promise<RoomOutcome> => {
    if (entered !== undefined && room !== null) await leaveAgain(tools, userId, roomId, entered, room);
    return outcome;
  };
  if (events.length === 0 || room === null) return finish({ redacted: 0 });

  const f = tools.features();
  // Recorded before the room is entered, so that a restart leaves it again.
  const enterAs = (who: Who) => {
    if (entered !== undefined) return;
    entered = who;
    enter(who);
  };
  type Strategy = { applies: (r: RoomAuthority) => boolean; run: (r: RoomAuthority) => Promise<boolean>; refusal: string };
  const strategies: Strategy[] = [
    // The user is still a member: they redact their own events.
    { applies: (r) => r.userMembership === 'join' && f.loginAs, run: () => asTheUser(tools, userId, roomId, events), refusal: NO_ONE_CAN_REDACT },
    // The bot is a member with power there.
    { applies: (r) => r.botMembership === 'join' && r.botHasRedactPower, run: () => asTheBot(tools, roomId, events), refusal: NO_ONE_CAN_REDACT },
    // A local member with power makes the bot a room admin (Synapse); it joins to redact.
    {
      applies: () => f.makeRoomAdmin,
      run: async (r) => {
        if (r.botMembership !== 'join') enterAs('bot');
        return (await botGetsPower(tools, roomId, r)) && asTheBot(tools, roomId, events);
      },
      refusal: NO_LOCAL_ADMIN,
    },
    // Anyone may join a public room: the user does, to redact their events, and leaves again.
    {
      applies: (r) => r.joinRule === 'public' && r.userMembership !== 'ban' && f.loginAs,
      run: async (r) => {
        if (r.userMembership !== 'join') enterAs('user');
        return asTheUser(tools, userId, roomId, events, { join: true });
      },
      refusal: NO_ONE_CAN_REDACT,
    },
  ];
  let reason = NO_ONE_CAN_REDACT;
  for (const strategy of strategies) {
    if (!strategy.applies(room)) continue;
    const done = await strategy.run(room);
    // Part may have gone through before a refusal: only what is still readable is tried next.
    events = done ? [] : await readableEventIds(tools, userId, roomId);
    room = await state();
    if (events.length === 0 || room === null) return finish({ redacted });
    reason = strategy.refusal;
  }
  return finish({ notRedacted: reason });
}

/** The same transaction ID for the same redaction, so that a retried request is recognised by the server. */
const txnFor = (who: string, roomId: string, eventId: string): string =>
  `dsar-redact-${createHash('sha256').update(`${who}\u0000${roomId}\u0000${eventId}`).digest('base64url').slice(0, 24)}`;

const isRefusal = (error: unknown): boolean => isHomeserverError(error, 'forbidden');

/** True when every event was redacted; false when the server refused (403). */
async function asTheUser(tools: RedactionTools, userId: string, roomId: string, events: readonly string[], options: { join?: boolean } = {}): Promise<boolean> {
  return tools.asUser(userId, async (token) => {
    try {
      let toRedact = events;
      if (options.join) {
        await tools.bot.request('POST', endpoint(PATHS.join, { roomId }), { schema: RoomIdAnswer, body: {}, token: await token(), retry: true });
        // Joining again wrote a new membership event with the user's profile: it goes too.
        toRedact = await readableEventIds(tools, userId, roomId);
      }
      for (const eventId of toRedact) {
        const txnId = txnFor(userId, roomId, eventId);
        await tools.bot.request('PUT', endpoint(PATHS.redact, { roomId, eventId, txnId }), { schema: EventIdAnswer, body: {}, token: await token() });
      }
      return true;
    } catch (error) {
      if (isRefusal(error)) return false;
      throw error;
    }
  });
}

async function asTheBot(tools: RedactionTools, roomId: string, events: readonly string[]): Promise<boolean> {
  try {
    for (const eventId of events) {
      const txnId = txnFor(tools.botUserId, roomId, eventId);
      await tools.bot.request('PUT', endpoint(PATHS.redact, { roomId, eventId, txnId }), { schema: EventIdAnswer, body: {} });
    }
    return true;
  } catch (error) {
    if (isRefusal(error)) return false;
    throw error;
  }
}

/**
 * Makes the bot a joined member with the power to redact: it joins where it already has the
 * power (a restart after make_room_admin), else asks make_room_admin first. False when the
 * server finds no local member who could grant it.
 */
async function botGetsPower(tools: RedactionTools, roomId: string, room: RoomAuthority): Promise<boolean> {
  if (room.botMembership === 'join' && room.botHasRedactPower) return true;
  const join = () => tools.bot.request('POST', endpoint(PATHS.join, { roomId }), { schema: RoomIdAnswer, body: {}, retry: true });
  if (room.botHasRedactPower) {
    try {
      await join();
      return true;
    } catch (error) {
      if (!isRefusal(error)) throw error;
    }
  }
  try {
    // Not retried: each call writes the power levels anew. A restart after one that went through finds the bot with the power.
    await tools.admin.request('POST', endpoint(PATHS.makeRoomAdmin, { roomId }), { schema: EmptyAnswer.loose(), body: { user_id: tools.botUserId } });
  } catch (error) {
    // "No local admin user in room with power to update power levels." (400), or a room it cannot touch.
    if (isHomeserverError(error, 'bad-response') || isRefusal(error)) return false;
    throw error;
  }
  if (room.botMembership !== 'join') await join();
  return true;
}

/** Leaves a room the bot, or the user, joined only to redact there. */
async function leaveAgain(tools: RedactionTools, userId: string, roomId: string, who: Who, room: RoomAuthority): Promise<void> {
  const leave = async (token?: string) => {
    try {
      await tools.bot.request('POST', endpoint(PATHS.leave, { roomId }), {
        schema: EmptyAnswer.loose(),
        body: {},
        retry: true,
        ...(token === undefined ? {} : { token }),
      });
    } catch (error) {
      // A retried leave that had gone through: no longer a member.
      if (!isRefusal(error)) throw error;
    }
  };
  if (who === 'bot' && room.botMembership === 'join') await leave();
  if (who === 'user' && room.userMembership === 'join') await tools.asUser(userId, async (token) => leave(await token()));
}
