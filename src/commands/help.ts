import { bold, code, link, list, paragraph } from '../render/document.ts';
import type { Command } from './command.ts';

export const help: Command = {
  name: 'help',
  summary: 'what I can do for you',
  scope: 'public',
  maxArgs: 0,
  run: async ({ commands, config }) => [
    paragraph(bold(`I help you exercise your data rights on ${config.homeserver.serverName}.`), ' Send a command in a direct chat with me:'),
    list(commands.map((command) => [code(`!${command.name}`), ` — ${command.summary}`])),
    paragraph(
      'For anything no command covers (correcting or deleting your data, objecting, complaints, a late or failed request), write to the privacy contact: ',
      link(config.privacyContact.email, `mailto:${config.privacyContact.email}`),
      ' or the room ',
      code(config.privacyContact.room),
      '.',
    ),
  ],
};
