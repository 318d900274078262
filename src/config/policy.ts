// The operator's declared data processing, as their privacy policy states it.
// !whatdoyouhave shows it next to what the server really holds (GDPR Art. 15(1)
// (a)-(h)); `stored` is the policy's claim, which the bot checks against the
// server and reports to the admins when the two disagree.
import { z } from 'zod';
import type { CategoryId } from './categories.ts';

/** Free text a user will read: surrounding spaces removed, never empty. */
export const Text = z.string().trim().min(1);

// Documented with zod metadata like the rest of the configuration (schema.ts).
export const CategoryDeclaration = z
  .object({
    stored: z.boolean().meta({
      description: 'true if your privacy policy says you keep this data, false if it says you do not; the bot checks it against the server',
      examples: [false],
    }),
    // GDPR Art. 15(1)(a).
    purpose: Text.meta({ description: 'why you keep this data, in plain words', examples: ['To let you log in.'] }),
    // Art. 13(1)(c).
    legalBasis: Text.meta({
      description: 'the legal ground for keeping it',
      examples: ['Needed to provide the account you signed up for (GDPR Art. 6(1)(b)).'],
    }),
    // Art. 15(1)(d).
    retention: Text.meta({ description: 'how long you keep it, or how that is decided', examples: ['Until you delete your account.'] }),
    // Art. 15(1)(c); federated servers are recipients.
    recipients: z
      .array(Text.meta({ description: 'a short description of one recipient', examples: ['Other Matrix servers in rooms you join (federation)'] }))
      .meta({ description: 'who receives this data (other Matrix servers count); [] if nobody' }),
    // Art. 15(1)(g).
    source: Text.default('you').meta({ description: 'where the data comes from, if not from the user', examples: ['Your Matrix apps'] }),
    note: Text.optional().meta({
      description: 'an extra explanation users see with this category, e.g. that encrypted messages are stored as ciphertext',
      examples: ['In encrypted rooms we store only ciphertext we cannot read.'],
    }),
  })
  .strict()
  .meta({
    description: 'the declaration of this category',
    examples: [{ stored: true, purpose: '…', legalBasis: '…', retention: '…', recipients: [] }],
  });
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

export const CategoryDeclarations = z
  .object(categoryShape)
  .strict()
  .meta({ description: `a declaration for each of the ${Object.keys(categoryShape).length} categories, even of data you do not keep` });
export type CategoryDeclarations = z.infer<typeof CategoryDeclarations>;

export const SupervisoryAuthority = z
  .object({
    // Art. 15(1)(f).
    name: Text.meta({
      description: 'the name of the authority (or authorities) users can complain to',
      examples: ['Personal Data Protection Commission (PDPC), Singapore'],
    }),
    howToComplain: Text.meta({
      description: 'how to complain to it: a web page, postal address or short instructions',
      examples: ["Through the PDPC's website, https://www.pdpc.gov.sg"],
    }),
  })
  .strict()
  .meta({ description: 'the data protection authority users can complain to' });
export type SupervisoryAuthority = z.infer<typeof SupervisoryAuthority>;

/** GDPR Art. 12(3): one month; Singapore's PDPA: 30 days. A promise cannot be longer. */
export const MAX_RESPONSE_DAYS = 30;

export const Policy = z
  .object({
    controller: Text.meta({
      description: 'the name of the organisation or person responsible for the data (the "controller"), as in your privacy policy',
      examples: ['Example Ltd, Singapore'],
    }),
    supervisoryAuthority: SupervisoryAuthority,
    responseDays: z
      .number()
      .int()
      .min(1)
      .max(MAX_RESPONSE_DAYS)
      .default(MAX_RESPONSE_DAYS)
      .meta({ description: "the number of calendar days you promise to answer a request in (GDPR allows one month, Singapore's PDPA 30 days)" }),
    // Art. 15(1)(h).
    automatedDecisionMaking: Text.meta({
      description: 'whether any decision about users is made automatically, and if so how',
      examples: ['None.'],
    }),
    categories: CategoryDeclarations,
  })
  .strict()
  .meta({ description: 'your declared data processing, from your privacy policy, which !whatdoyouhave shows to users' });
export type Policy = z.infer<typeof Policy>;
