// What the bot tells the admin room. Pure.
import { CATEGORY_LABELS, type CategoryId } from '../config/categories.ts';
import { bold, code, list, paragraph, type Document } from '../render/document.ts';

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
