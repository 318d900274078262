// What the bot tells the admin room. Pure.
import { createHash } from 'node:crypto';
import { CATEGORY_LABELS, type CategoryId } from '../config/categories.ts';
import { bold, code, type Document, list, paragraph } from '../render/document.ts';

/** Never names a user: the alert is about the server, once per category. */
export const policyDisagreement = (category: CategoryId): Document => [
  paragraph(
    bold('Server and policy disagree: '),
    `the homeserver stores data of the category “${CATEGORY_LABELS[category]}” for at least one user, but the privacy policy declares that this is not kept.`,
  ),
  paragraph(
    'Users who ask see what the server holds. Either change the server’s configuration (and remove what it already holds), or correct the policy and ',
    code(`policy.categories.${category}`),
    ' in the bot’s configuration. This alert is sent once for this category.',
  ),
];

export const serverNotes = (notes: string[]): Document => [paragraph(bold('Privacy bot started. About this homeserver:')), list(notes.map((note) => [note]))];

/**
 * Whether the start-up notes about the server are worth posting: only when they say
 * something else than the last ones posted (`lastPosted`, a digest; none: ''). A crash
 * loop must not flood the admin room with the same notice.
 */
export function serverNotesToPost(notes: string[], lastPosted: string | null): { digest: string; post: boolean } {
  const digest = notes.length === 0 ? '' : createHash('sha256').update(JSON.stringify(notes)).digest('hex');
  return { digest, post: notes.length > 0 && digest !== lastPosted };
}

/** A command the bot gave up answering: who asked what, where, and why it failed; never what they wrote. */
export const commandGivenUp = (entry: { sender: string; roomId: string; command: string; receivedAt: number }, failure: string): Document => [
  paragraph(
    bold('I could not deliver an answer. '),
    'I gave up answering ',
    code(entry.command.split(' ')[0]!),
    ' from ',
    code(entry.sender),
    ' in room ',
    code(entry.roomId),
    `, received ${new Date(entry.receivedAt).toISOString()}: ${failure}.`,
  ),
  paragraph('They have had no answer from me. Please answer them yourselves, or ask them to try again.'),
];
