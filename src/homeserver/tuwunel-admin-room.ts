// Tuwunel's admin room, for what its HTTP admin API lacks. A command is a plain, unencrypted
// `!admin ...` text message in #admins:<server>, sent with the admin token (whose user is an
// admin because it is a member of that room); @conduit:<server> answers with notices that
// reply to it, chained one to the next when long, or in a thread (admin_output_threads), or as
// an uploaded admin-output-<secs>.md file (src/service/admin/respond.rs, attach.rs). The answer
// is read by paging the room forward from the command, never with /sync: a second sync on the
// bot's own device could swallow its to-device messages.
//
// Arguments are split on whitespace, with no quoting: none may contain any.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type AdminAnswer, joinParts, readAnswer } from './admin-room-answer.ts';
import { isHomeserverError } from './errors.ts';
import type { AdminRoomCommands, ErasureStatus, UserAccount } from './homeserver.ts';
import { endpoint, type HomeserverHttp } from './http.ts';
import { toUserAccount } from './normalise.ts';
import { AdminUser, JoinedRooms } from './schemas.ts';

/** Why a command did not do what it should; `detail` is the server's text, for the operator. */
export class AdminRoomError extends Error {
  override name = 'AdminRoomError';
  readonly kind: 'failed' | 'no-answer' | 'unexpected-answer' | 'not-verified' | 'no-such-user';
  /** The command without its arguments, e.g. "users deactivate". */
  readonly command: string;
  readonly detail: string;

  constructor(kind: AdminRoomError['kind'], command: string, detail: string) {
    super(`Tuwunel admin command "${command}": ${kind}: ${detail}`);
    this.kind = kind;
    this.command = command;
    this.detail = detail;
  }
}

const PATHS = {
  alias: '/_matrix/client/v3/directory/room/{alias}',
  send: '/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}',
  context: '/_matrix/client/v3/rooms/{roomId}/context/{eventId}',
  messages: '/_matrix/client/v3/rooms/{roomId}/messages',
  user: '/_synapse/admin/v2/users/{userId}',
  joinedRooms: '/_synapse/admin/v1/users/{userId}/joined_rooms',
  redact: '/_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}',
  whoami: '/_matrix/client/v3/account/whoami',
  download: '/_matrix/client/v1/media/download/{serverName}/{mediaId}',
  legacyDownload: '/_matrix/media/v3/download/{serverName}/{mediaId}',
} as const;

const RoomId = z.object({ room_id: z.string() });
const WhoAmI = z.object({ user_id: z.string() });
/** Pages of #admins read back when the bot forgets a person there (100 events each). */
const MAX_CLEANUP_PAGES = 1000;
const EventId = z.object({ event_id: z.string() });
const Context = z.object({ end: z.string().nullish() });
const RoomMessage = z.object({
  event_id: z.string(),
  sender: z.string(),
  type: z.string(),
  content: z.object({
    msgtype: z.string().nullish(),
    body: z.string().nullish(),
    url: z.string().nullish(),
    'm.relates_to': z
      .object({
        rel_type: z.string().nullish(),
        event_id: z.string().nullish(),
        'm.in_reply_to': z.object({ event_id: z.string() }).nullish(),
      })
      .nullish(),
  }),
});
type RoomMessage = z.infer<typeof RoomMessage>;
const Page = z.object({ chunk: z.array(RoomMessage), end: z.string().nullish() });

export type TuwunelAdminRoomOptions = {
  /** Carries the admin token; its user must be in #admins. */
  admin: HomeserverHttp;
  serverName: string;
  /** How long to wait for an answer (default 30 s; deactivation gets four times that). */
  timeoutMs?: number;
  /** Between two looks at the room (default 250 ms). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export class TuwunelAdminRoom implements AdminRoomCommands {
  readonly #admin: HomeserverHttp;
  readonly #alias: string;
  readonly #serverUser: string;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #roomId: string | null = null;

  constructor(options: TuwunelAdminRoomOptions) {
    this.#admin = options.admin;
    this.#alias = `#admins:${options.serverName}`;
    // The server user is @conduit on every Tuwunel (src/service/globals/mod.rs).
    this.#serverUser = `@conduit:${options.serverName}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 250;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async deactivate(userId: string, options: { leaveRooms?: boolean } = {}): Promise<{ stillJoined: string[] }> {
    const command = 'users deactivate';
    // For an unknown ID the command "succeeds" and leaves a deactivated account behind.
    if ((await this.#account(userId)) === null) throw new AdminRoomError('no-such-user', command, `the server has no user ${userId}`);
    const flags = options.leaveRooms === false ? ['--no-leave-rooms'] : [];
    const text = await this.#expect(command, [...flags, userId], { timeoutMs: this.#timeoutMs * 4 });
    if (text !== `User ${userId.toLowerCase()} has been deactivated`) throw new AdminRoomError('unexpected-answer', command, text);
    if ((await this.#account(userId))?.deactivated !== true) throw new AdminRoomError('not-verified', command, `${userId} is not deactivated`);
    const joined = await this.#admin.request('GET', endpoint(PATHS.joinedRooms, { userId }), { schema: JoinedRooms });
    return { stillJoined: joined.joined_rooms };
  }

  /**
   * Sends `users deactivate` and returns its event ID without waiting: Tuwunel runs admin
   * commands one at a time for all admins, and this one leaves every room in turn, so the
   * answer may come much later. Resending would queue it again; the caller waits with
   * awaitDeactivation, across restarts, by the ID.
   */
  async sendDeactivate(userId: string): Promise<string> {
    const command = 'users deactivate';
    // For an unknown ID the command "succeeds" and leaves a deactivated account behind.
    if ((await this.#account(userId)) === null) throw new AdminRoomError('no-such-user', command, `the server has no user ${userId}`);
    return this.#send(command, [userId]);
  }

  /**
   * Waits up to `timeoutMs` for the answer to a `users deactivate` sent earlier; 'pending' when
   * none came yet (the command may still wait in the server's queue). Checks the answer and the
   * account, and answers the rooms the user is still joined to.
   */
  async awaitDeactivation(userId: string, commandId: string, timeoutMs: number): Promise<{ stillJoined: string[] } | 'pending'> {
    const command = 'users deactivate';
    let parts: RoomMessage[];
    try {
      parts = await this.#answerTo(await this.#room(), commandId, command, timeoutMs);
    } catch (error) {
      if (error instanceof AdminRoomError && error.kind === 'no-answer') return 'pending';
      throw error;
    }
    const text = this.#text(command, readAnswer(await this.#answerText(parts)));
    if (text !== `User ${userId.toLowerCase()} has been deactivated`) throw new AdminRoomError('unexpected-answer', command, text);
    if ((await this.#account(userId))?.deactivated !== true) throw new AdminRoomError('not-verified', command, `${userId} is not deactivated`);
    const joined = await this.#admin.request('GET', endpoint(PATHS.joinedRooms, { userId }), { schema: JoinedRooms });
    return { stillJoined: joined.joined_rooms };
  }

  /**
   * Redacts what the bot said in #admins that names the user (its commands), and the server's
   * answers to those: once an erasure is read back, the admin room need not name the person.
   * Returns how many were redacted, and how many could not be (no power over the server's answers).
   */
  async redactCommandsAbout(userId: string): Promise<{ redacted: number; refused: number }> {
    const roomId = await this.#room();
    const me = (await this.#admin.request('GET', PATHS.whoami, { schema: WhoAmI })).user_id;
    const mine = new Set<string>();
    const toRedact: string[] = [];
    // Newest first, the whole room: commands are few, and the room is the bot's and the admins'.
    for (let from: string | undefined, pages = 0; pages < MAX_CLEANUP_PAGES; pages++) {
      const page = await this.#admin.request('GET', endpoint(PATHS.messages, { roomId }), { schema: Page, query: { dir: 'b', limit: 100, from } });
      for (const ev of page.chunk) {
        const body = ev.content.body ?? '';
        if (ev.sender === me && body.startsWith('!admin ') && body.includes(userId)) {
          mine.add(ev.event_id);
          toRedact.push(ev.event_id);
        }
      }
      // Answers come after their commands, which were found on this page or later (older) ones.
      for (const ev of page.chunk) if (ev.sender === this.#serverUser && answersAny(ev, mine)) toRedact.push(ev.event_id);
      if (page.chunk.length === 0 || !page.end || page.end === from) break;
      from = page.end;
    }
    let redacted = 0;
    let refused = 0;
    for (const eventId of toRedact) {
      try {
        await this.#admin.request(
          'PUT',
          endpoint(PATHS.redact, { roomId, eventId, txnId: `dsar-forget-${eventId.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}` }),
          { schema: EventId, body: { reason: 'erasure of the person it named' } },
        );
        redacted++;
      } catch (error) {
        if (!isHomeserverError(error, 'forbidden')) throw error;
        refused++;
      }
    }
    return { redacted, refused };
  }

  async deleteEmail(userId: string, address: string): Promise<void> {
    const command = 'users del-email';
    const text = await this.#expect(command, [userId, address]);
    if (!/^Removed email \S+ from user \S+\.$/.test(text)) throw new AdminRoomError('unexpected-answer', command, text);
    // The answer is the same whether the address was bound or not: only the account can tell.
    const emails = (await this.#account(userId))?.emails ?? [];
    if (emails.some((email) => sameAddress(email, address))) throw new AdminRoomError('not-verified', command, `${address} is still bound to ${userId}`);
  }

  async deleteAllMediaFromUser(userId: string): Promise<number> {
    const command = 'media delete-all-from-user';
    const text = await this.#expect(command, [userId]);
    const match = /^Deleted (\d+) total files\.$/.exec(text);
    if (!match) throw new AdminRoomError('unexpected-answer', command, text);
    return Number(match[1]);
  }

  async forceLeaveRoom(userId: string, roomId: string): Promise<void> {
    const command = 'users force-leave-room';
    const text = await this.#expect(command, [userId, roomId]);
    if (text !== `${userId.toLowerCase()} has left ${roomId}.`) throw new AdminRoomError('unexpected-answer', command, text);
  }

  async erasureStatus(userId: string): Promise<ErasureStatus> {
    const command = 'users erasure';
    const text = await this.#expect(command, [userId]);
    if (/ is not erased$/.test(text)) return { erased: false };
    const match = / is erased \(since count (\d+)\)$/.exec(text);
    if (!match) throw new AdminRoomError('unexpected-answer', command, text);
    return { erased: true, sinceCount: Number(match[1]) };
  }

  async listJoinedRooms(userId: string): Promise<string[]> {
    const command = 'users list-joined-rooms';
    const answer = await this.run(command, [userId]);
    // An empty list is reported as a failure.
    if (!answer.ok && answer.kind === 'failed' && answer.message === 'User is not in any rooms.') return [];
    const text = this.#text(command, answer);
    if (!text.startsWith('Rooms ')) throw new AdminRoomError('unexpected-answer', command, text);
    return text.split('\n').flatMap((line) => /^(![^\t]+)\tMembers: /.exec(line)?.[1] ?? []);
  }

  /**
   * Sends `!admin <command> <args...>` (and `body`, lines after the command line, for the
   * commands that take a list) and resolves with the answer.
   */
  async run(command: string, args: readonly string[], options: { body?: readonly string[]; timeoutMs?: number } = {}): Promise<AdminAnswer> {
    const commandId = await this.#send(command, args, options.body);
    const parts = await this.#answerTo(await this.#room(), commandId, command, options.timeoutMs ?? this.#timeoutMs);
    return readAnswer(await this.#answerText(parts));
  }

  /** Sends `!admin <command> <args...>` once (a PUT with our transaction ID: a retry cannot run it twice); its event ID. */
  async #send(command: string, args: readonly string[], lines: readonly string[] = []): Promise<string> {
    for (const arg of [...command.split(' '), ...args]) {
      if (arg === '' || /\s/.test(arg))
        throw new Error(`admin room: an argument of "${command}" is empty or has white space, which the command line cannot carry`);
    }
    const roomId = await this.#room();
    const body = [['!admin', command, ...args].join(' '), ...lines].join('\n');
    const sent = await this.#admin.request('PUT', endpoint(PATHS.send, { roomId, txnId: `dsar-${randomUUID()}` }), {
      schema: EventId,
      body: { msgtype: 'm.text', body },
    });
    return sent.event_id;
  }

  /** Runs a command that must succeed; its output. */
  async #expect(command: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
    return this.#text(command, await this.run(command, args, options));
  }

  #text(command: string, answer: AdminAnswer): string {
    if (!answer.ok) throw new AdminRoomError('failed', command, `${answer.kind}: ${answer.message}`);
    return answer.text;
  }

  async #room(): Promise<string> {
    this.#roomId ??= (await this.#admin.request('GET', endpoint(PATHS.alias, { alias: this.#alias }), { schema: RoomId })).room_id;
    return this.#roomId;
  }

  /**
   * The events of @conduit's answer, in order: replies to the command, each next part replying
   * to the one before, or children of the command's thread. Pages forward from the command
   * until an answer is there and one more look brings no further part.
   */
  async #answerTo(roomId: string, commandId: string, command: string, timeoutMs: number): Promise<RoomMessage[]> {
    const deadline = this.#now() + timeoutMs;
    const context = await this.#admin.request('GET', endpoint(PATHS.context, { roomId, eventId: commandId }), { schema: Context, query: { limit: 0 } });
    let from = context.end ?? undefined;
    const filter = JSON.stringify({ senders: [this.#serverUser], types: ['m.room.message'] });
    const parts: RoomMessage[] = [];
    const ids = new Set([commandId]);
    for (;;) {
      const page = await this.#admin.request('GET', endpoint(PATHS.messages, { roomId }), {
        schema: Page,
        query: { dir: 'f', limit: 100, filter, from },
      });
      from = page.end ?? from;
      const before = parts.length;
      // In order: a part replies to the one before it.
      for (const ev of page.chunk) {
        if (ev.sender !== this.#serverUser || !answers(ev, ids, commandId)) continue;
        parts.push(ev);
        ids.add(ev.event_id);
      }
      if (before > 0 && parts.length === before) return parts;
      if (this.#now() >= deadline) {
        if (parts.length > 0) return parts;
        throw new AdminRoomError('no-answer', command, `no answer from ${this.#serverUser} within ${Math.round(timeoutMs / 1000)} s`);
      }
      await this.#sleep(this.#pollMs);
    }
  }

  /** The answer's text: the parts joined, or the uploaded file. */
  async #answerText(parts: RoomMessage[]): Promise<string> {
    const file = parts.find((p) => p.content.msgtype === 'm.file' && p.content.url);
    if (!file?.content.url) return joinParts(parts.map((p) => p.content.body ?? ''));
    const match = /^mxc:\/\/([^/]+)\/([^/?#]+)$/.exec(file.content.url);
    if (!match) throw new AdminRoomError('unexpected-answer', 'download', 'the answer file has no usable mxc URI');
    const params = { serverName: match[1]!, mediaId: match[2]! };
    const options = { schema: z.string(), answerAs: 'text' as const };
    try {
      return await this.#admin.request('GET', endpoint(PATHS.download, params), options);
    } catch (error) {
      // A server without authenticated media (MSC3916) serves the file at the old address.
      if (!isHomeserverError(error, 'unsupported')) throw error;
      return this.#admin.request('GET', endpoint(PATHS.legacyDownload, params), options);
    }
  }

  async #account(userId: string): Promise<UserAccount | null> {
    try {
      return toUserAccount(await this.#admin.request('GET', endpoint(PATHS.user, { userId }), { schema: AdminUser }));
    } catch (error) {
      if (isHomeserverError(error, 'not-found')) return null;
      throw error;
    }
  }
}

/** Part of the answer: a reply to the command or to a part, or a child of the command's thread. */
function answers(ev: RoomMessage, ids: ReadonlySet<string>, commandId: string): boolean {
  const relation = ev.content['m.relates_to'];
  const inReplyTo = relation?.['m.in_reply_to']?.event_id;
  if (inReplyTo !== undefined && ids.has(inReplyTo)) return true;
  return relation?.rel_type === 'm.thread' && relation.event_id === commandId;
}

/** An answer (or a part of one) to any of these commands. */
function answersAny(ev: RoomMessage, commands: ReadonlySet<string>): boolean {
  const relation = ev.content['m.relates_to'];
  const inReplyTo = relation?.['m.in_reply_to']?.event_id;
  return (inReplyTo !== undefined && commands.has(inReplyTo)) || (relation?.rel_type === 'm.thread' && commands.has(relation.event_id ?? ''));
}

/** Tuwunel compares addresses case-folded (src/service/threepid/canonical.rs). */
function sameAddress(a: string, b: string): boolean {
  const fold = (s: string): string => s.replace(/ß/g, 'ss').toLowerCase();
  return fold(a) === fold(b);
}
