// Where a command goes once it is accepted: run it, answer with a fixed reply, or
// stay silent. Pure: the facts about the room come in, a decision comes out.
import type { Command } from '../commands/command.ts';
import type { ParsedMessage } from '../commands/parse.ts';
import type { BotConfig } from '../config/load.ts';
import type { Document } from '../render/document.ts';
import { serverOf } from './incoming.ts';
import * as replies from './replies.ts';

export type RoomFacts = {
  /** Only the sender and the bot are joined. */
  direct: boolean;
  /** The room is encrypted and the bot cannot encrypt. */
  unreadable: boolean;
  /** The room is encrypted and the sender has no device the bot can encrypt for. */
  undecryptable: boolean;
};

/** `unencrypted`: sent in the clear even in an encrypted room (it carries no personal data). */
export type Route =
  | { kind: 'silent' }
  | { kind: 'reply'; document: Document; unencrypted?: true }
  | { kind: 'run'; command: Command; args: string[] };

export function route(parsed: ParsedMessage, sender: string, room: RoomFacts, commands: readonly Command[], config: BotConfig): Route {
  if (parsed.kind === 'none') return { kind: 'silent' };
  const botUserId = config.bot.userId;
  // An answer here would go out unencrypted where the user expects encryption.
  if (room.unreadable) return { kind: 'reply', document: replies.encryptedRoomNotice(botUserId) };
  // An encrypted answer would be unreadable: say so in the clear, and how to fix it.
  if (room.undecryptable) return { kind: 'reply', document: replies.cannotEncryptForYou(botUserId), unencrypted: true };
  if (parsed.kind === 'unknown') {
    // Elsewhere, a "!word" is likely meant for another bot.
    return room.direct ? { kind: 'reply', document: replies.unknownCommand(parsed.word) } : { kind: 'silent' };
  }
  const command = commands.find((c) => c.name === parsed.name);
  if (command === undefined) return { kind: 'reply', document: replies.unknownCommand(parsed.name) };
  if (command.scope === 'personal') {
    const senderServer = serverOf(sender);
    if (senderServer !== config.homeserver.serverName) return { kind: 'reply', document: replies.remoteUser(sender, senderServer, config) };
    if (!room.direct) return { kind: 'reply', document: replies.notInDirectChat(botUserId, command.name) };
  }
  return { kind: 'run', command, args: parsed.args };
}
