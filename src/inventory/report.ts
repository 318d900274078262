// The !whatdoyouhave answer: what the server holds, category by category, with the
// operator's declared purpose, legal basis, retention and recipients (GDPR Art. 15). Pure.
import { CATEGORY_CONTENTS, CATEGORY_IDS, CATEGORY_LABELS } from '../config/categories.ts';
import type { BotConfig } from '../config/load.ts';
import { type Block, bold, code, type Document, type Inline, link, list, paragraph, section } from '../render/document.ts';
import { policyDiscrepancies } from './discrepancies.ts';
import { categoryFacts, formatTime } from './facts.ts';
import type { Inventory } from './inventory.ts';

/** For each category: what it covers, what the server holds, and the operator's declaration (Art. 15(1)(a)-(g)). */
export function categorySections(inventory: Inventory, config: BotConfig): Block[] {
  const { policy } = config;
  const disagreements = new Set(policyDiscrepancies(inventory, policy));
  return CATEGORY_IDS.map((id): Block => {
    const declared = policy.categories[id];
    const facts = categoryFacts(inventory, id);
    const held: Block =
      facts.unavailable !== undefined
        ? paragraph(bold('What the server holds: '), facts.unavailable)
        : facts.facts.length === 0
          ? paragraph(bold('What the server holds: '), 'nothing of this kind about you.')
          : list(facts.facts);
    const blocks: Block[] = [paragraph(CATEGORY_CONTENTS[id]), held];
    if (declared.note !== undefined) blocks.push(paragraph(declared.note));
    if (disagreements.has(id)) {
      blocks.push(
        paragraph(
          bold('Note: '),
          `${policy.controller}'s privacy policy says this is not kept, but the server does hold it. The administrators have been told; you may also raise it with the privacy contact.`,
        ),
      );
    }
    blocks.push(
      list([
        [bold('Why: '), declared.purpose],
        [bold('Legal basis: '), declared.legalBasis],
        [bold('How long: '), declared.retention],
        [bold('Who else gets it: '), declared.recipients.length === 0 ? 'nobody' : declared.recipients.join('; ')],
        [bold('Where it comes from: '), declared.source],
      ]),
    );
    return section(CATEGORY_LABELS[id], blocks);
  });
}

/** The user's rights and how to use them; `access` says where their copy is. */
export function rightsSection(config: BotConfig, access: Inline[]): Block {
  const { policy, privacyContact } = config;
  const contact: Inline[] = [link(privacyContact.email, `mailto:${privacyContact.email}`), ' or the room ', code(privacyContact.room)];
  return section('Your rights', [
    list([
      [bold('Access and portability: '), ...access],
      [bold('Correction: '), 'change your display name, avatar and email addresses in your Matrix client; for anything else, ask the privacy contact.'],
      [bold('Erasure: '), 'ask the privacy contact to delete your account and its data (', code('!contact'), ').'],
      [bold('Restriction and objection: '), 'ask the privacy contact.'],
      [bold('Complaint: '), `you may complain to ${policy.supervisoryAuthority.name}: ${policy.supervisoryAuthority.howToComplain}`],
      [bold('Automated decisions: '), policy.automatedDecisionMaking],
    ]),
    paragraph(`Privacy contact: `, ...contact, `. Requests are answered within ${policy.responseDays} days.`),
    paragraph(
      'Messages and files you shared in rooms with people on other servers were also sent to those servers ' +
        '(federation); their copies are outside this server’s control.',
    ),
  ]);
}

export function inventoryReport(inventory: Inventory, config: BotConfig): Document {
  return [
    paragraph(
      bold(`What ${config.policy.controller} stores about `),
      code(inventory.userId),
      ` (read from the homeserver just now, ${formatTime(inventory.collectedAt)}). I send this only here, in our direct chat.`,
    ),
    ...categorySections(inventory, config),
    rightsSection(config, ['this answer; for a copy of all your data, to keep or to take to another service, send ', code('!export'), '.']),
  ];
}
