// Where a command goes once it is accepted: run it, answer with a fixed reply, refuse it,
// or stay silent. Pure: the facts about the room and the sender come in, a decision out.
import type { Command, Place } from '../commands/command.ts';
import type { ParsedMessage } from '../commands/parse.ts';
import type { BotConfig } from '../config/load.ts';
import { serverPart } from '../config/matrix-ids.ts';
import type { Document } from '../render/document.ts';
import * as replies from './replies.ts';

export type RoomFacts = {
  place: Place;
  /** The room is encrypted and the bot cannot encrypt. */
  unreadable: boolean;
  /** The room is encrypted and the sender has no device the bot can encrypt for. */
  undecryptable: boolean;
  /** The sender is listed in `admins` and joined to the admin room. */
  senderIsAdmin: boolean;
};

/** `unencrypted`: sent in the clear even in an encrypted room (it carries no personal data). */
export type Route =
  | { kind: 'silent' }
  | { kind: 'reply'; document: Document; unencrypted?: true }
  /** Answered, and logged: someone tried what they may not. */
  | { kind: 'refuse'; document: Document; why: string }
  | { kind: 'run'; command: Command; args: unknown };

export function route(parsed: ParsedMessage, sender: string, room: RoomFacts, commands: readonly Command[], config: BotConfig): Route {
  if (parsed.kind === 'none') return { kind: 'silent' };
  const botUserId = config.bot.userId;
  // An answer here would go out unencrypted where the user expects encryption.
  if (room.unreadable) return { kind: 'reply', document: replies.encryptedRoomNotice(botUserId) };
  // An encrypted answer would be unreadable: say so in the clear, and how to fix it.
  if (room.undecryptable) return { kind: 'reply', document: replies.cannotEncryptForYou(botUserId), unencrypted: true };
  if (parsed.kind === 'unknown') {
    // In a group room, a "!word" is likely meant for another bot.
    return room.place === 'group' ? { kind: 'silent' } : { kind: 'reply', document: replies.unknownCommand(parsed.word) };
  }
  const command = commands.find((c) => c.name === parsed.name);
  if (command === undefined) return { kind: 'reply', document: replies.unknownCommand(parsed.name) };
  const local = serverPart(sender) === config.homeserver.serverName;
  switch (command.scope) {
    case 'personal':
      if (!local) return { kind: 'reply', document: replies.remoteUser(sender, serverPart(sender), config) };
      if (room.place !== 'direct') return { kind: 'reply', document: replies.notInDirectChat(botUserId, command.name) };
      break;
    case 'admin':
      if (room.place !== 'admin')
        return { kind: 'refuse', document: replies.onlyInRoom(command.name, 'the admin room'), why: `!${command.name} outside the admin room` };
      if (!room.senderIsAdmin)
        return { kind: 'refuse', document: replies.notAnAdmin(command.name), why: `!${command.name} from someone who is not a listed admin` };
      break;
    case 'privacy-contact':
      if (room.place !== 'privacy-contact')
        return {
          kind: 'refuse',
          document: replies.onlyInRoom(command.name, 'the privacy contact room'),
          why: `!${command.name} outside the privacy contact room`,
        };
      if (!local) return { kind: 'refuse', document: replies.notAnAdmin(command.name), why: `!${command.name} from a user of another server` };
      break;
    case 'public':
      break;
  }
  const parsedArgs = command.parseArgs(parsed.args);
  return parsedArgs.ok ? { kind: 'run', command, args: parsedArgs.args } : { kind: 'reply', document: parsedArgs.problem };
}
