import { bold, code, link, list, paragraph } from '../render/document.ts';
import type { Command } from './command.ts';

export const contact: Command = {
  name: 'contact',
  summary: 'how to reach a person about your data: correction, erasure, objection, complaints',
  scope: 'public',
  maxArgs: 0,
  run: async ({ config }) => [
    paragraph(bold(`The privacy contact of ${config.policy.controller}`), config.privacyContact.name ? ` (${config.privacyContact.name})` : '', ' is a person who handles what no command covers:'),
    list([
      ['Email: ', link(config.privacyContact.email, `mailto:${config.privacyContact.email}`)],
      ['Matrix room: ', code(config.privacyContact.room)],
    ]),
    paragraph(
      `Write to them to correct your data, to have your account and data erased, to object to or restrict processing, to complain, or when a request is late or failed. Requests are answered within ${config.policy.responseDays} days. `,
      `You can also complain to ${config.policy.supervisoryAuthority.name}: ${config.policy.supervisoryAuthority.howToComplain}`,
    ),
  ],
};
