import { bold, code, link, list, paragraph } from '../render/document.ts';
import { type Command, defineCommand, type Place, type Scope } from './command.ts';

/** Which commands !help lists where: what can be used in that room. */
const SHOWN_IN: Readonly<Record<Place, readonly Scope[]>> = {
  direct: ['personal', 'public'],
  group: ['personal', 'public'],
  admin: ['admin', 'public'],
  'privacy-contact': ['privacy-contact', 'public'],
};

const commandsFor = (commands: readonly Command[], place: Place): Command[] => commands.filter((c) => SHOWN_IN[place].includes(c.scope));

export const help = defineCommand({
  name: 'help',
  summary: 'what I can do for you',
  scope: 'public',
  run: async ({ commands, config, place }) => [
    paragraph(
      bold(
        place === 'admin'
          ? 'Commands for the admins, in this room:'
          : place === 'privacy-contact'
            ? 'Commands for the privacy contact, in this room:'
            : `I help you exercise your data rights on ${config.homeserver.serverName}.`,
      ),
      place === 'direct' || place === 'group' ? ' Send a command in a direct chat with me:' : '',
    ),
    list(commandsFor(commands, place).map((command) => [code(command.usage), ` — ${command.summary}`])),
    paragraph(
      'For anything no command covers (objecting, complaints, a late or failed request), write to the privacy contact: ',
      link(config.privacyContact.email, `mailto:${config.privacyContact.email}`),
      ' or the room ',
      code(config.privacyContact.room),
      '.',
    ),
  ],
});
