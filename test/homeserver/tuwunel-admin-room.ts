// Tuwunel's admin room: #admins:<server>, run by the server user
// @conduit:<server>. A plain-text `!admin ...` message there gets an m.notice
// in reply (markdown body, HTML formatted_body, m.in_reply_to the command).
// Only the commands a data-subject request needs are implemented, with
// Tuwunel's confirmation strings; anything else fails like an unknown command.
import { deactivateViaTuwunelCommand } from './deactivation.ts';
import type { Later } from './deactivation.ts';
import type { HomeserverModel, JsonObject, StoredEvent, UserRecord } from './model.ts';

class CommandError extends Error {}

/** Creates the room and server user, and starts answering commands. */
export function installTuwunelAdminRoom(model: HomeserverModel, later: Later): void {
  const { userId: serverUser } = model.addUser({ localpart: 'conduit', displayName: 'conduit' });
  model.removeDevicesAndTokens(serverUser);
  model.serverUserId = serverUser;
  model.adminRoomId = model.createRoom(serverUser, { name: `${model.serverName} Admin Room`, alias: 'admins' });
  model.emitter.on('user', (user: UserRecord) => {
    // Every admin is a member of the admin room: that is what makes one an admin on Tuwunel.
    if (user.admin && model.adminRoomId) {
      model.invite(model.adminRoomId, serverUser, user.userId);
      model.join(model.adminRoomId, user.userId);
    }
  });
  model.emitter.on('event', (ev: StoredEvent) => {
    if (!isCommand(model, ev)) return;
    // Answer after the command's own request has completed, as a real server would.
    later(5, () => reply(model, ev, runCommand(model, String(ev.content['body']))));
  });
}

function isCommand(model: HomeserverModel, ev: StoredEvent): boolean {
  return (
    ev.roomId === model.adminRoomId &&
    ev.sender !== model.serverUserId &&
    ev.type === 'm.room.message' &&
    ev.content['msgtype'] === 'm.text' &&
    typeof ev.content['body'] === 'string' &&
    ev.content['body'].trimStart().startsWith('!admin')
  );
}

function reply(model: HomeserverModel, command: StoredEvent, markdown: string): void {
  if (!model.adminRoomId || !model.serverUserId || !model.room(model.adminRoomId)) return;
  const content: JsonObject = {
    msgtype: 'm.notice',
    body: markdown,
    format: 'org.matrix.custom.html',
    formatted_body: markdownToHtml(markdown),
    'm.relates_to': { 'm.in_reply_to': { event_id: command.eventId } },
  };
  model.sendEvent(model.adminRoomId, model.serverUserId, 'm.room.message', content);
}

/** Runs one command line; the answer is the reply's markdown. */
export function runCommand(model: HomeserverModel, line: string): string {
  const [, group, command, ...args] = line.trim().split(/\s+/);
  try {
    return dispatch(model, `${group ?? ''} ${command ?? ''}`, args);
  } catch (e) {
    return `Command failed with error: ${(e as Error).message}`;
  }
}

function localUser(model: HomeserverModel, userId: string | undefined): UserRecord {
  if (!userId) throw new CommandError('a user ID is required');
  const user = model.user(userId);
  if (!user || !user.local) throw new CommandError(`Remote user or unknown user ${userId}`);
  return user;
}

function dispatch(model: HomeserverModel, command: string, args: string[]): string {
  switch (command) {
    case 'users deactivate': {
      const user = localUser(model, args[0]);
      deactivateViaTuwunelCommand(model, user.userId);
      return `User ${user.userId} has been deactivated`;
    }
    case 'users erasure': {
      const user = localUser(model, args[0]);
      return user.erasedAt === null ? `${user.userId} is not erased` : `${user.userId} is erased (since count ${user.erasedAt})`;
    }
    case 'users del-email': {
      const user = localUser(model, args[0]);
      const address = args[1];
      if (!address || !user.emails.some((e) => e.address === address)) throw new CommandError(`${user.userId} has no email ${address ?? ''}`);
      user.emails = user.emails.filter((e) => e.address !== address);
      return `Removed email ${address} from user ${user.userId}.`;
    }
    case 'media delete-all-from-user': {
      const user = localUser(model, args[0]);
      const media = model.mediaOf(user.userId);
      for (const m of media) model.deleteMedia(m.mediaId);
      return `Deleted ${media.length} total files.`;
    }
    case 'users list-joined-rooms': {
      const user = localUser(model, args[0]);
      const rooms = model.joinedRooms(user.userId);
      if (rooms.length === 0) throw new CommandError('User is not in any rooms.');
      const lines = rooms.map((roomId) => {
        const name = model.stateEvent(roomId, 'm.room.name', '')?.content['name'] ?? roomId;
        return `${roomId}\tMembers: ${model.joinedMembers(roomId).length}\tName: ${String(name)}`;
      });
      return `Rooms ${user.userId} Joined (${rooms.length}):\n\`\`\`\n${lines.join('\n')}\n\`\`\``;
    }
    default:
      throw new CommandError(`unrecognized subcommand '${command.trim()}'`);
  }
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Just enough markdown for the replies: paragraphs and fenced code blocks. */
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
