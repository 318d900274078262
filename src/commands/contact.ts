// !contact, !correct and !object: with a message, a request relayed to the privacy contact;
// !contact alone shows how to reach them.
import type { BotConfig } from '../config/load.ts';
import { bold, code, type Document, link, list, paragraph } from '../render/document.ts';
import { relayedToContact } from '../requests/messages.ts';
import { type CommandContext, defineCommand } from './command.ts';

const contactCard = (config: BotConfig): Document => [
  paragraph(
    bold(`The privacy contact of ${config.policy.controller}`),
    config.privacyContact.name ? ` (${config.privacyContact.name})` : '',
    ' is a person who handles what no command covers:',
  ),
  list([
    ['Email: ', link(config.privacyContact.email, `mailto:${config.privacyContact.email}`)],
    ['Matrix room: ', code(config.privacyContact.room)],
    [
      'Or here: ',
      code('!contact <your message>'),
      ' passes your message to them (',
      code('!correct <what>'),
      ' and ',
      code('!object <what>'),
      ' say what it is about).',
    ],
  ]),
  paragraph(
    `Write to them to correct your data, to object to or restrict processing, to complain, or when a request is late or failed. Requests are answered within ${config.policy.responseDays} days. `,
    `You can also complain to ${config.policy.supervisoryAuthority.name}: ${config.policy.supervisoryAuthority.howToComplain}`,
  ),
];

const onlyInDirectChat = (context: CommandContext): Document => [
  paragraph(
    'Your message may concern your own data, so I pass it on only from a direct chat with me. Start a direct chat with ',
    code(context.config.bot.userId),
    ' and send it there.',
  ),
];

async function relay(context: CommandContext, kind: 'contact' | 'correction' | 'objection', text: string): Promise<Document> {
  if (context.place !== 'direct') return onlyInDirectChat(context);
  const request = await context.desk.relayToPrivacyContact(kind, context.sender, context.roomId, context.eventId, text);
  return relayedToContact(request, context.config);
}

export const contact = defineCommand({
  name: 'contact',
  summary: 'how to reach a person about your data; with a message, I pass it on to them',
  scope: 'public',
  text: { label: 'message', required: false },
  run: async (context) => {
    const text = await context.text();
    return text === '' ? contactCard(context.config) : relay(context, 'contact', text);
  },
});

export const correct = defineCommand({
  name: 'correct',
  summary: 'ask for your data to be corrected (say what is wrong)',
  scope: 'personal',
  text: { label: 'what is wrong', required: true },
  run: async (context) => relay(context, 'correction', await context.text()),
});

export const object = defineCommand({
  name: 'object',
  summary: 'object to or ask to restrict how your data is processed (say what and why)',
  scope: 'personal',
  text: { label: 'what you object to', required: true },
  run: async (context) => relay(context, 'objection', await context.text()),
});
