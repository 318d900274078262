// The operator's declared data processing, as their privacy policy states it.
// !whatdoyouhave shows it next to what the server really holds (GDPR Art. 15(1)
// (a)-(h)); `stored` is the policy's claim, which the bot checks against the
// server and reports to the admins when the two disagree.
import { z } from 'zod';
import type { CategoryId } from './categories.ts';

/** Free text a user will read: surrounding spaces removed, never empty. */
export const Text = z.string().trim().min(1);

export const CategoryDeclaration = z
  .object({
    /** Whether the privacy policy says this data is kept. */
    stored: z.boolean(),
    /** Why it is kept (Art. 15(1)(a)). */
    purpose: Text,
    /** The legal ground for keeping it (Art. 13(1)(c)), e.g. "Needed to provide your account (GDPR Art. 6(1)(b))". */
    legalBasis: Text,
    /** How long it is kept, or how that is decided (Art. 15(1)(d)). */
    retention: Text,
    /** Who receives it (Art. 15(1)(c)); federated servers are recipients. Empty: nobody. */
    recipients: z.array(Text),
    /** Where the data comes from (Art. 15(1)(g)). */
    source: Text.default('you'),
    /** An optional extra explanation shown with the category, e.g. that encrypted messages are stored as ciphertext. */
    note: Text.optional(),
  })
  .strict();
export type CategoryDeclaration = z.infer<typeof CategoryDeclaration>;

/** Every category must be declared, so the bot never shows one without its declaration. */
const categoryShape = {
  account: CategoryDeclaration,
  profile: CategoryDeclaration,
  emails: CategoryDeclaration,
  devices: CategoryDeclaration,
  ipAddresses: CategoryDeclaration,
  userAgents: CategoryDeclaration,
  connectionTimes: CategoryDeclaration,
  rooms: CategoryDeclaration,
  messages: CategoryDeclaration,
  media: CategoryDeclaration,
  accountData: CategoryDeclaration,
  pushers: CategoryDeclaration,
  encryptionKeys: CategoryDeclaration,
} as const satisfies Record<CategoryId, typeof CategoryDeclaration>;

export const CategoryDeclarations = z.object(categoryShape).strict();
export type CategoryDeclarations = z.infer<typeof CategoryDeclarations>;

export const SupervisoryAuthority = z
  .object({
    /** The authority (or authorities) a user can complain to (Art. 15(1)(f)). */
    name: Text,
    /** How to complain: a web page, address or other instructions. */
    howToComplain: Text,
  })
  .strict();
export type SupervisoryAuthority = z.infer<typeof SupervisoryAuthority>;

/** GDPR Art. 12(3): one month; Singapore's PDPA: 30 days. A promise cannot be longer. */
export const MAX_RESPONSE_DAYS = 30;

export const Policy = z
  .object({
    /** Who is responsible for the data (the controller). */
    controller: Text,
    supervisoryAuthority: SupervisoryAuthority,
    /** The deadline promised for answering a request, in calendar days. */
    responseDays: z.number().int().min(1).max(MAX_RESPONSE_DAYS).default(MAX_RESPONSE_DAYS),
    /** Art. 15(1)(h), usually "None". */
    automatedDecisionMaking: Text,
    categories: CategoryDeclarations,
  })
  .strict();
export type Policy = z.infer<typeof Policy>;
