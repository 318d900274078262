// The privacy contact also gets a mail, where mail is configured: queued in the outbox (sent
// once, retried in the background by the mailer) before the chat message goes out.
import type { Mailer } from '../mail/mailer.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { Notifier } from './notifier.ts';

export type MailRoute = { outbox: Outbox; mailer: Mailer; to: string; now: () => number };

export function withMail(chat: Notifier, mail: MailRoute | null): Notifier {
  if (mail === null) return chat;
  return {
    ...chat,
    toPrivacyContact: async (document, key, message) => {
      if (message !== undefined && mail.outbox.queue({ key, to: mail.to, subject: message.subject, body: message.body }, mail.now())) void mail.mailer.flush();
      await chat.toPrivacyContact(document, key);
    },
  };
}
