// The bot's fixed answers, as Documents. Pure.
import type { BotConfig } from '../config/load.ts';
import type { HomeserverErrorKind } from '../homeserver/errors.ts';
import { troubleDescription } from '../homeserver/trouble.ts';
import { bold, code, type Document, link, paragraph } from '../render/document.ts';

const contactInline = (config: BotConfig) => [
  link(config.privacyContact.email, `mailto:${config.privacyContact.email}`),
  ' or the room ',
  code(config.privacyContact.room),
];

/** How much of an unknown word is repeated back: never an unbounded echo of user input. */
export const MAX_ECHOED_WORD_CHARS = 24;

export const unknownCommand = (word: string): Document => {
  const shown = word.length > MAX_ECHOED_WORD_CHARS ? `${word.slice(0, MAX_ECHOED_WORD_CHARS)}…` : word;
  return [paragraph(`I don't know the command `, code(`!${shown}`), '. Send ', code('!help'), ' to see what I can do.')];
};

/** Sent instead of an answer too large for one Matrix event (65,536 bytes). */
export const answerTooLarge = (config: BotConfig): Document => [
  paragraph('My answer is too long to send as one message, so I cannot show it here. The administrators can see this in my log.'),
  paragraph('Please write to the privacy contact, who can answer your request: ', ...contactInline(config), '.'),
];

export const notInDirectChat = (botUserId: string, command: string): Document => [
  paragraph(
    bold('This command concerns your own data, so I only answer it in a direct chat with me'),
    ', where nobody else can read the answer. Start a direct chat with ',
    code(botUserId),
    ' (in Element: “Start chat”, then enter that ID), and send ',
    code(`!${command}`),
    ' there.',
  ),
];

export const rateLimited = (retryAfterMs: number, scope: 'user' | 'global', perMinute: number): Document => [
  paragraph(
    scope === 'user'
      ? `You are sending commands faster than I answer them (at most ${perMinute} a minute per person). `
      : 'I am answering many people right now. ',
    `Please try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} seconds; nothing you asked for was lost, but the commands sent meanwhile were not carried out.`,
  ),
];

export const onlyInRoom = (command: string, room: string): Document => [paragraph(code(`!${command}`), ` works only in ${room}.`)];

export const notAnAdmin = (command: string): Document => [
  paragraph(code(`!${command}`), ' is for the people this bot’s configuration names for it. Your attempt was logged.'),
];

export const remoteUser = (sender: string, senderServer: string, config: BotConfig): Document => [
  paragraph(
    'Your account ',
    code(sender),
    ` lives on ${senderServer}, not on ${config.homeserver.serverName}, so this server keeps no account of yours and I cannot answer data requests for you. `,
    `Your account data is held by ${senderServer}: please ask its operators.`,
  ),
  paragraph(
    `Messages you sent into rooms shared with people on ${config.homeserver.serverName} were copied here by federation; about those, write to our privacy contact: `,
    ...contactInline(config),
    '.',
  ),
];

export const encryptedRoomNotice = (botUserId: string): Document => [
  paragraph(
    bold('I cannot read encrypted messages here'),
    ', so I cannot answer commands in this room. To use me, start a direct chat with ',
    code(botUserId),
    ' with encryption turned off (in Element: when starting the chat, open “Show advanced” and disable end-to-end encryption), then send ',
    code('!help'),
    '.',
  ),
];

export const cannotEncryptForYou = (botUserId: string): Document => [
  paragraph(
    bold('I cannot encrypt my answer for you'),
    ': this room is encrypted, but none of your devices has published encryption keys, so you could not read it. ',
    'Send the command again from an app that supports end-to-end encryption (such as Element), signed in to your account; ',
    'or start a direct chat with ',
    code(botUserId),
    ' with encryption turned off (in Element: when starting the chat, open “Show advanced” and disable end-to-end encryption).',
  ),
];

export const homeserverTrouble = (config: BotConfig, kind: HomeserverErrorKind): Document => [
  paragraph(`I could not read your data from the homeserver just now: ${troubleDescription(kind)} Nothing was lost; please try again in a few minutes.`),
  paragraph('If it keeps failing, write to the privacy contact: ', ...contactInline(config), '.'),
];

/** The server lacks what the command needs (e.g. no HTTP admin API at all). */
export const notAvailableHere = (config: BotConfig): Document => [
  paragraph('This part is not available on this server: its homeserver software does not offer what I need to answer. The administrators have been told.'),
  paragraph('Meanwhile, the privacy contact can answer your request: ', ...contactInline(config), '.'),
];

export const internalTrouble = (config: BotConfig): Document => [
  paragraph(
    'Something went wrong on my side and I could not answer. The administrators can see it in my log. ' +
      'Please try again later, or write to the privacy contact: ',
    ...contactInline(config),
    '.',
  ),
];
