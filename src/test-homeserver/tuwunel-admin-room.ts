// Tuwunel's admin room: #admins:<server>, run by the server user @conduit:<server>.
// A message starting with `!admin` from one of its members (the server admins) is a
// command; the answer comes back as m.notice events from @conduit, as Tuwunel 1.9.0's
// source writes them (matrix-construct/tuwunel src/service/admin/{processor,respond,attach}.rs):
//
// - success: the command's markdown, as a notice; formatted_body only when the markdown
//   renders to something other than the text itself (ruma's notice_markdown);
// - failure: "Command failed with error:\n```\n<message>\n```";
// - a command line that does not parse: clap's plain-text error, no prefix, no HTML;
// - info-level log lines of the command (demoting a user, deleting listed media) come first,
//   as a markdown table, then a blank line, then the answer;
// - output that does not fit one event is split into replies chained one to the next, up to
//   admin_output_max_events (1 by default); beyond that it is uploaded as
//   admin-output-<secs>.md and sent as an m.file; with admin_output_threads (or a command sent
//   in a thread) every part goes into the command's thread instead.
//
// Only the commands a data-subject request needs are here, with Tuwunel's texts.
import type { Later } from './deactivation.ts';
import { deactivateViaTuwunelCommand } from './deactivation.ts';
import type { HomeserverModel, JsonObject, StoredEvent, UserRecord } from './model.ts';

export interface AdminRoomSettings {
  /** admin_output_max_events (Tuwunel's default 1); 0: every answer is a file. */
  outputMaxEvents?: number;
  /** admin_output_threads: answers go into a thread on the command. */
  outputThreads?: boolean;
  /**
   * Bytes of serialized content one answer event may carry. Tuwunel: MAX_PDU_BYTES (65535)
   * less 10240 for the envelope and 512 for the relation; tests make it small.
   */
  segmentBudget?: number;
  /**
   * How long `users deactivate` takes per room it leaves (default 0): the leaves come one after
   * another, the answer after the last, and every command queued behind it waits.
   */
  deactivateRoomMs?: number;
}

const TUWUNEL_SEGMENT_BUDGET = 65_535 - 10_240 - 512;

/** A failed command: its message goes into the fenced block. */
class CommandError extends Error {}

/** A command line clap would not parse: its text is the whole answer, as plain text. */
class UsageError extends Error {}

type Output = { markdown: boolean; text: string };

/** What one command has to work with; `log` records an info line the admin room will show. */
interface Run {
  model: HomeserverModel;
  args: string[];
  /** The lines after the command line (code blocks for list commands). */
  body: string[];
  log(message: string): void;
  /** Work the command does after its first part, one step at a time, before it answers (leaving rooms). */
  defer(step: () => void): void;
}

/** Creates the room and server user, and starts answering commands. */
export function installTuwunelAdminRoom(model: HomeserverModel, later: Later, settings: AdminRoomSettings = {}): void {
  const { userId: serverUser } = model.addUser({ localpart: 'conduit', displayName: 'conduit' });
  model.removeDevicesAndTokens(serverUser);
  model.serverUserId = serverUser;
  model.adminRoomId = model.createRoom(serverUser, { name: `${model.serverName} Admin Room`, alias: 'admins' });
  model.emitter.on('user', (user: UserRecord) => {
    // Every admin is a member of the admin room: that is what makes one an admin on Tuwunel.
    if (user.admin && model.adminRoomId) {
      model.invite(model.adminRoomId, serverUser, user.userId);
      model.join(model.adminRoomId, user.userId);
      // src/service/admin/grant.rs: the server user at 69420, each admin at 100.
      model.setPowerLevel(model.adminRoomId, serverUser, serverUser, 69420);
      model.setPowerLevel(model.adminRoomId, serverUser, user.userId, 100);
    }
  });
  // src/service/admin/mod.rs: one worker takes the commands of every admin from a queue, one at
  // a time, so a slow command holds up all that come after it, and a command sent again runs
  // again once its turn comes.
  const queue: StoredEvent[] = [];
  let busy = false;
  const next = (): void => {
    const command = queue.shift();
    if (!command) {
      busy = false;
      return;
    }
    busy = true;
    // Begin after the command's own request has completed.
    later(5, () => {
      const { output, steps } = runCommand(model, String(command.content['body']));
      const stepMs = settings.deactivateRoomMs ?? 0;
      const work = (i: number): void => {
        const step = steps[i];
        if (step === undefined) {
          respond(model, command, output, settings);
          next();
          return;
        }
        step();
        later(stepMs, () => work(i + 1));
      };
      if (steps.length === 0) work(0);
      else later(stepMs, () => work(0));
    });
  };
  model.emitter.on('event', (ev: StoredEvent) => {
    if (!isCommand(model, ev)) return;
    queue.push(ev);
    if (!busy) next();
  });
}

/** src/service/admin/mod.rs, is_admin_command: any message body from an admin in the admin room. */
function isCommand(model: HomeserverModel, ev: StoredEvent): boolean {
  return (
    ev.roomId === model.adminRoomId &&
    ev.sender !== model.serverUserId &&
    ev.type === 'm.room.message' &&
    typeof ev.content['body'] === 'string' &&
    ev.content['body'].trimStart().startsWith('!admin') &&
    model.membership(ev.roomId, ev.sender) === 'join'
  );
}

// ---- running a command ----

/**
 * Runs one command (its first line, the rest is its body) and writes the answer as Tuwunel does;
 * `steps` is the rest of its work, done before the answer goes out.
 */
export function runCommand(model: HomeserverModel, input: string): { output: Output; steps: Array<() => void> } {
  const lines = input.split('\n').filter((l) => l.trim() !== '');
  const [, group = '', command = '', ...args] = (lines[0] ?? '').trim().split(/\s+/);
  const logs: string[] = [];
  const steps: Array<() => void> = [];
  const run: Run = {
    model,
    args,
    body: lines.slice(1),
    log: (message) => logs.push(`|  INFO |    admin     | ${message} |\n`),
    defer: (step) => steps.push(step),
  };
  let outcome: { ok: boolean; text: string };
  try {
    outcome = { ok: true, text: dispatch(run, group, command) };
  } catch (e) {
    if (e instanceof UsageError) return { output: { markdown: false, text: e.message }, steps: [] };
    if (!(e instanceof CommandError)) throw e;
    outcome = { ok: false, text: `Command failed with error:\n\`\`\`\n${e.message}\n\`\`\`` };
  }
  const table = logs.length > 0 ? `| level | span | message |\n| ------: | :-----: | :------- |\n${logs.join('')}\n` : '';
  return { output: { markdown: true, text: table + outcome.text }, steps };
}

const USAGE = {
  users: 'admin users <COMMAND>',
  media: 'admin media <COMMAND>',
} as const;

function usage(text: string, usageLine: string): UsageError {
  return new UsageError(`error: ${text}\n\nUsage: ${usageLine}\n\nFor more information, try '--help'.\n`);
}

/** clap's argument handling for one sub-command: flags (with their values) and positionals. */
function parseArgs(
  args: string[],
  spec: { usage: string; positional: string[]; optional?: string[]; flags?: string[]; options?: string[] },
): { positional: Record<string, string | undefined>; flags: Set<string>; options: Record<string, string> } {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.replace(/^--?/, '');
    if (arg.startsWith('-') && spec.flags?.includes(name)) flags.add(name);
    else if (arg.startsWith('--') && spec.options?.includes(name)) {
      const value = args[++i];
      if (value === undefined) throw usage(`a value is required for '--${name} <${name.toUpperCase()}>' but none was supplied`, spec.usage);
      options[name] = value;
    } else if (arg.startsWith('-')) throw usage(`unexpected argument '${arg}' found`, spec.usage);
    else positionals.push(arg);
  }
  const names = [...spec.positional, ...(spec.optional ?? [])];
  if (positionals.length > names.length) throw usage(`unexpected argument '${positionals[names.length]}' found`, spec.usage);
  const missing = spec.positional.slice(positionals.length);
  if (missing.length > 0) {
    throw usage(`the following required arguments were not provided:\n${missing.map((m) => `  <${m.toUpperCase()}>`).join('\n')}`, spec.usage);
  }
  return { positional: Object.fromEntries(names.map((n, i) => [n, positionals[i]])), flags, options };
}

function dispatch(run: Run, group: string, command: string): string {
  if (group === 'users') {
    switch (command) {
      case 'deactivate':
        return deactivate(run);
      case 'erasure':
        return erasure(run);
      case 'del-email':
        return delEmail(run);
      case 'list-joined-rooms':
        return listJoinedRooms(run);
      case 'force-leave-room':
        return forceLeaveRoom(run);
      case 'reject-invites':
        return rejectInvites(run);
      case 'redact-event':
        return redactEvent(run);
      default:
        throw usage(`unrecognized subcommand '${command}'`, USAGE.users);
    }
  }
  if (group === 'media') {
    switch (command) {
      case 'delete':
        return deleteMedia(run);
      case 'delete-list':
        return deleteList(run);
      case 'delete-by-event':
        return deleteByEvent(run);
      case 'delete-all-from-user':
        return deleteAllFromUser(run);
      default:
        throw usage(`unrecognized subcommand '${command}'`, USAGE.media);
    }
  }
  throw usage(`unrecognized subcommand '${group}'`, 'admin <COMMAND>');
}

/**
 * src/admin/utils.rs parse_local_user_id: lower-cased, a bare localpart gets the server name;
 * another server's user is refused. Whether the user exists is not checked.
 */
function parseLocalUserId(model: HomeserverModel, raw: string): string {
  const lower = raw.toLowerCase();
  const userId = lower.startsWith('@') ? lower : `@${lower}:${model.serverName}`;
  if (!/^@[a-z0-9._=/+-]+:[^:\s]+(:\d+)?$/.test(userId)) throw new CommandError(`The supplied username is not a valid username: ${raw}`);
  if (!userId.endsWith(`:${model.serverName}`)) throw new CommandError(`User ${JSON.stringify(userId)} does not belong to our server.`);
  return userId;
}

// ---- users ----

function deactivate(run: Run): string {
  const { positional, flags } = parseArgs(run.args, {
    usage: 'admin users deactivate [OPTIONS] <USER_ID>',
    positional: ['user_id'],
    flags: ['n', 'no-leave-rooms'],
  });
  const userId = parseLocalUserId(run.model, positional['user_id']!);
  if (userId === run.model.serverUserId) throw new CommandError('Not allowed to deactivate the server service account.');
  deactivateViaTuwunelCommand(run.model, userId, { leaveRooms: !flags.has('n') && !flags.has('no-leave-rooms'), log: run.log, defer: run.defer });
  return `User ${userId} has been deactivated`;
}

function erasure(run: Run): string {
  const { positional } = parseArgs(run.args, { usage: 'admin users erasure <USER_ID>', positional: ['user_id'] });
  const userId = parseLocalUserId(run.model, positional['user_id']!);
  const erasedAt = run.model.user(userId)?.erasedAt ?? null;
  return erasedAt === null ? `${userId} is not erased` : `${userId} is erased (since count ${erasedAt})`;
}

/** src/service/threepid/canonical.rs: both parts case-folded (ß becomes ss). */
function canonicalEmail(address: string): string {
  if (address.length > 500) throw new CommandError('Email address is too long');
  const at = address.lastIndexOf('@');
  if (at < 0) throw new CommandError('Email address must contain a domain');
  const [local, domain] = [address.slice(0, at), address.slice(at + 1)];
  if (local === '' || domain === '') throw new CommandError('Email address is malformed');
  const fold = (s: string): string => s.replace(/ß/g, 'ss').toLowerCase();
  return `${fold(local)}@${fold(domain)}`;
}

/** Removes the binding if there is one; the answer is the same either way. */
function delEmail(run: Run): string {
  const { positional } = parseArgs(run.args, { usage: 'admin users del-email <USERNAME> <ADDRESS>', positional: ['username', 'address'] });
  const userId = parseLocalUserId(run.model, positional['username']!);
  const canonical = canonicalEmail(positional['address']!);
  const user = run.model.user(userId);
  if (user) user.emails = user.emails.filter((e) => canonicalEmail(e.address) !== canonical);
  return `Removed email ${canonical} from user ${userId}.`;
}

function roomName(model: HomeserverModel, roomId: string): string {
  const name = model.stateEvent(roomId, 'm.room.name', '')?.content['name'];
  if (typeof name === 'string') return name;
  const members = model.joinedMembers(roomId);
  return members.length === 2 ? members.join(', ') : roomId;
}

function listJoinedRooms(run: Run): string {
  const { positional } = parseArgs(run.args, { usage: 'admin users list-joined-rooms <USER_ID>', positional: ['user_id'] });
  const userId = parseLocalUserId(run.model, positional['user_id']!);
  const rooms = run.model.joinedRooms(userId).map((roomId) => ({ roomId, members: run.model.joinedMembers(roomId).length }));
  if (rooms.length === 0) throw new CommandError('User is not in any rooms.');
  // Sorted by member count, then reversed: the biggest room first.
  rooms.sort((a, b) => a.members - b.members).reverse();
  const lines = rooms.map((r) => `${r.roomId}\tMembers: ${r.members}\tName: ${roomName(run.model, r.roomId)}\n`);
  return `Rooms ${userId} Joined (${rooms.length}):\n\`\`\`\n${lines.join('')}\`\`\``;
}

function resolveRoom(model: HomeserverModel, roomOrAlias: string): string {
  if (roomOrAlias.startsWith('!')) return roomOrAlias;
  const roomId = model.aliases.get(roomOrAlias);
  if (!roomId) throw new CommandError(`Room alias ${roomOrAlias} not found.`);
  return roomId;
}

function forceLeaveRoom(run: Run): string {
  const { positional } = parseArgs(run.args, { usage: 'admin users force-leave-room <USER_ID> <ROOM_ID>', positional: ['user_id', 'room_id'] });
  const userId = parseLocalUserId(run.model, positional['user_id']!);
  const raw = positional['room_id']!;
  if (!/^[!#]/.test(raw))
    throw usage(`invalid value '${raw}' for '<ROOM_ID>': leading sigil is incorrect or missing`, 'admin users force-leave-room <USER_ID> <ROOM_ID>');
  const roomId = resolveRoom(run.model, raw);
  if (!run.model.room(roomId) || run.model.membership(roomId, userId) !== 'join') throw new CommandError(`${userId} is not joined in the room`);
  run.model.leave(roomId, userId);
  return `${userId} has left ${roomId}.`;
}

function rejectInvites(run: Run): string {
  const { positional, options } = parseArgs(run.args, {
    usage: 'admin users reject-invites [OPTIONS] <USER_ID>',
    positional: ['user_id'],
    options: ['reason'],
  });
  const userId = parseLocalUserId(run.model, positional['user_id']!);
  const invited = run.model.memberships(userId).filter((m) => m.membership === 'invite');
  if (invited.length === 0) throw new CommandError(`${userId} has no pending invites.`);
  for (const { roomId } of invited) run.model.leave(roomId, userId, options['reason']);
  return `Rejected ${invited.length} invite(s) for ${userId}. 0 failed.`;
}

/** Redacts as the event's sender, under the room's rules (a sender who left cannot). */
function redactEvent(run: Run): string {
  const { positional } = parseArgs(run.args, { usage: 'admin users redact-event <EVENT_ID>', positional: ['event_id'] });
  const eventId = eventIdArg(positional['event_id']!, 'admin users redact-event <EVENT_ID>');
  const event = findEvent(run.model, eventId);
  if (!event) throw new CommandError('Event does not exist in our database.');
  if (event.redactedBy) throw new CommandError('Event is already redacted.');
  if (!run.model.localUser(event.sender)) throw new CommandError('This command only works on local users.');
  const refusal = run.model.redactionRefusal(event.roomId, event.sender, eventId);
  if (refusal !== null) throw new CommandError(refusal);
  const reason = `The administrator(s) of ${run.model.serverName} has redacted this user's message.`;
  const redaction = run.model.redact(event.roomId, event.sender, eventId, reason);
  return `Successfully redacted event. Redaction event ID: ${redaction}`;
}

function eventIdArg(raw: string, usageLine: string): string {
  if (!raw.startsWith('$')) throw usage(`invalid value '${raw}' for '<EVENT_ID>': leading sigil is incorrect or missing`, usageLine);
  return raw;
}

function findEvent(model: HomeserverModel, eventId: string): StoredEvent | undefined {
  for (const room of model.rooms.values()) {
    const event = room.events.find((e) => e.eventId === eventId);
    if (event) return event;
  }
  return undefined;
}

// ---- media ----

/** Deletes one local file by mxc URI; false when the server has no such file. */
function deleteMxc(model: HomeserverModel, mxc: string): boolean {
  const match = /^mxc:\/\/([^/]+)\/([^/]+)$/.exec(mxc);
  if (!match || match[1] !== model.serverName) return false;
  return model.deleteMedia(match[2]!);
}

function deleteMedia(run: Run): string {
  const { options } = parseArgs(run.args, { usage: 'admin media delete --mxc <MXC>', positional: [], options: ['mxc'] });
  const mxc = options['mxc'];
  if (mxc === undefined) throw usage('the following required arguments were not provided:\n  --mxc <MXC>', 'admin media delete --mxc <MXC>');
  if (!deleteMxc(run.model, mxc)) throw new CommandError(`Failed to find any media keys for MXC ${mxc} in our database.`);
  return 'Deleted the MXC from our database and on our filesystem.';
}

/** The mxc URIs come in a code block on the lines after the command. */
function deleteList(run: Run): string {
  parseArgs(run.args, { usage: 'admin media delete-list', positional: [] });
  const body = run.body;
  if (body.length < 2 || !body[0]!.trim().startsWith('```') || body[body.length - 1]!.trim() !== '```') {
    throw new CommandError('Expected code block in command body. Add --help for details.');
  }
  let deleted = 0;
  let unparsed = 0;
  for (const line of body.slice(1, -1)) {
    const mxc = line.trim();
    if (!/^mxc:\/\/[^/]+\/[^/]+$/.test(mxc)) {
      unparsed++;
      continue;
    }
    if (deleteMxc(run.model, mxc)) {
      run.log(`Successfully deleted ${mxc} from filesystem and database`);
      deleted++;
    }
  }
  return `Finished bulk MXC deletion, deleted ${deleted} total MXCs from our database and the filesystem. ${unparsed} MXCs failed to be parsed from the database.`;
}

/** The files an event points at: content.url, content.info.thumbnail_url, content.file.url. */
function deleteByEvent(run: Run): string {
  const usageLine = 'admin media delete-by-event --event-id <EVENT_ID>';
  const { options } = parseArgs(run.args, { usage: usageLine, positional: [], options: ['event-id'] });
  const raw = options['event-id'];
  if (raw === undefined) throw usage('the following required arguments were not provided:\n  --event-id <EVENT_ID>', usageLine);
  const eventId = eventIdArg(raw, usageLine);
  const event = findEvent(run.model, eventId);
  if (!event) throw new CommandError('Event ID does not exist or is not known to us.');
  // The stored event: a redacted one has lost its content, and with it the URLs.
  const content = event.redactedBy ? {} : event.content;
  const info = (content['info'] ?? {}) as JsonObject;
  const file = (content['file'] ?? {}) as JsonObject;
  const urls = [content['url'], info['thumbnail_url'], file['url']].filter((u): u is string => typeof u === 'string');
  if (urls.length === 0) throw new CommandError('Parsed event ID but found no MXC URLs.');
  let deleted = 0;
  for (const url of urls) {
    if (url.startsWith('mxc://') && deleteMxc(run.model, url)) {
      run.log(`Successfully deleted ${url} from filesystem and database`);
      deleted++;
    }
  }
  return `Deleted ${deleted} total MXCs from our database and the filesystem from event ID ${eventId}.`;
}

function deleteAllFromUser(run: Run): string {
  const { positional } = parseArgs(run.args, { usage: 'admin media delete-all-from-user <USERNAME>', positional: ['username'] });
  const userId = parseLocalUserId(run.model, positional['username']!);
  const media = run.model.mediaOf(userId);
  for (const m of media) run.model.deleteMedia(m.mediaId);
  return `Deleted ${media.length} total files.`;
}

// ---- answering ----

type Relation = (previous: string | null) => JsonObject;

/** Replies chained one to the next, or thread children of the command (or of its own thread). */
function relationFor(command: StoredEvent, threads: boolean): Relation {
  const commandRelation = command.content['m.relates_to'] as JsonObject | undefined;
  const threadRoot = commandRelation?.['rel_type'] === 'm.thread' ? String(commandRelation['event_id']) : threads ? command.eventId : null;
  if (threadRoot !== null) return () => ({ rel_type: 'm.thread', event_id: threadRoot });
  return (previous) => ({ 'm.in_reply_to': { event_id: previous ?? command.eventId } });
}

function respond(model: HomeserverModel, command: StoredEvent, output: Output, settings: AdminRoomSettings): void {
  const roomId = model.adminRoomId;
  const sender = model.serverUserId;
  if (!roomId || !sender || !model.room(roomId)) return;
  const maxEvents = settings.outputMaxEvents ?? 1;
  const budget = settings.segmentBudget ?? TUWUNEL_SEGMENT_BUDGET;
  const relation = relationFor(command, settings.outputThreads ?? false);
  const segments =
    maxEvents === 0 ? null : chunk(output.text, output.markdown, (text) => Buffer.byteLength(JSON.stringify(notice(text, output.markdown))) <= budget);
  if (segments !== null && segments.length <= maxEvents) {
    let previous: string | null = null;
    for (const segment of segments) {
      previous = model.sendEvent(roomId, sender, 'm.room.message', { ...notice(segment, output.markdown), 'm.relates_to': relation(previous) });
    }
    return;
  }
  // src/service/admin/attach.rs: the whole output as a file.
  const extension = output.markdown ? 'md' : 'txt';
  const mimetype = output.markdown ? 'text/markdown' : 'text/plain';
  const filename = `admin-output-${Math.floor(Date.now() / 1000)}.${extension}`;
  const bytes = Buffer.from(output.text);
  const url = model.uploadMedia(sender, { contentType: mimetype, bytes, filename });
  model.sendEvent(roomId, sender, 'm.room.message', {
    msgtype: 'm.file',
    body: filename,
    filename,
    url,
    info: { mimetype, size: bytes.length },
    'm.relates_to': relation(null),
  });
}

/** ruma's notice_markdown leaves formatted_body out when the markdown renders to the text itself. */
function notice(text: string, markdown: boolean): JsonObject {
  const content: JsonObject = { msgtype: 'm.notice', body: text };
  if (markdown && /`|\*\*|^\||\n/m.test(text)) {
    content['format'] = 'org.matrix.custom.html';
    content['formatted_body'] = markdownToHtml(text);
  }
  return content;
}

/**
 * src/core/utils/string/chunk.rs, simplified: whole lines packed greedily into segments that
 * fit; a code fence left open at a cut is closed and reopened in the next segment; a line too
 * long for any segment is cut at a character.
 */
export function chunk(text: string, markdown: boolean, fits: (segment: string) => boolean): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [''];
  const segments: string[] = [];
  let current = '';
  let fence: string | null = null; // the info string of a fence open in `current`
  const close = (): void => {
    segments.push(markdown && fence !== null ? `${current}\`\`\`\n` : current);
    current = markdown && fence !== null ? `\`\`\`${fence}\n` : '';
  };
  for (const line of lines) {
    const fenceAfter: string | null = markdown && line.trimStart().startsWith('```') ? (fence === null ? line.trim().slice(3) : null) : fence;
    if (current !== '' && !fits(current + line + (fenceAfter !== null ? '```\n' : ''))) close();
    if (!fits(current + line)) {
      // Not even this line fits a fresh segment: cut it where it stops fitting.
      let rest = line;
      while (rest !== '' && !fits(current + rest)) {
        let n = rest.length - 1;
        while (n > 1 && !fits(current + rest.slice(0, n))) n = Math.floor(n / 2);
        segments.push(current + rest.slice(0, Math.max(1, n)));
        current = '';
        rest = rest.slice(Math.max(1, n));
      }
      current += rest;
    } else {
      current += line;
    }
    fence = fenceAfter;
  }
  segments.push(current);
  return segments;
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Just enough markdown for the answers: paragraphs and fenced code blocks. */
export function markdownToHtml(markdown: string): string {
  const parts = markdown.split(/```\n?/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre><code>${escapeHtml(part)}</code></pre>\n`;
      const text = part.trim();
      return text ? `<p>${escapeHtml(text).replace(/\n/g, '<br>\n')}</p>\n` : '';
    })
    .join('');
}
