// The privacy contact's commands, in the privacy contact room: answering a requester and
// closing a request. Their words are relayed to the requester, never stored.
import { code, paragraph } from '../render/document.ts';
import { defineCommand } from './command.ts';
import { requestId } from './params.ts';

export const reply = defineCommand({
  name: 'reply',
  summary: 'send your answer to the requester’s direct chat',
  scope: 'privacy-contact',
  params: { id: requestId() },
  text: { label: 'text', required: true },
  run: async ({ desk, sender, eventId, text }, { id }) => {
    const outcome = await desk.replyToRequester(id, sender, eventId, await text());
    return outcome.ok ? [paragraph('Sent to the requester of ', code(id), '.')] : [paragraph(`Not sent: ${outcome.problem}.`)];
  },
});

export const close = defineCommand({
  name: 'close',
  summary: 'close a request you have handled; an optional note goes to the requester',
  scope: 'privacy-contact',
  params: { id: requestId() },
  text: { label: 'note', required: false },
  run: async ({ desk, sender, eventId, text }, { id }) => {
    const outcome = await desk.closeByContact(id, sender, eventId, await text());
    return outcome.ok ? [paragraph('Request ', code(id), ' is closed; the requester was told.')] : [paragraph(`Not closed: ${outcome.problem}.`)];
  },
});
