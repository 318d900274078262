// What the bot said in a room, read straight from the test homeserver's model.
import type { HomeserverModel } from '../../src/test-homeserver/index.ts';

/** The bot's m.room.message events in a room, in order. */
export const botMessages = (m: HomeserverModel, botId: string, roomId: string) =>
  m.events(roomId).filter((ev) => ev.sender === botId && ev.type === 'm.room.message');

/** The bot's messages in a room, as plain text. */
export const botBodies = (m: HomeserverModel, botId: string, roomId: string): string[] =>
  botMessages(m, botId, roomId).map((ev) => String((ev.content as Record<string, unknown>)['body']));

/** The first request ID (R-XXXX) in a text; '' when there is none. */
export const requestIdIn = (text: string): string => /R-[0-9A-Z]{4}/.exec(text)?.[0] ?? '';
