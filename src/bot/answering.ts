// Answering the inbox's commands: each exactly once, tried again later when an attempt
// fails, given up after a few (delivery.ts decides; give-up.ts records and reports).
// What to answer is not decided here: `compose` turns a command into a Document.
import type { BotConfig } from '../config/load.ts';
import type { Logger } from '../log.ts';
import type { Chat } from '../matrix/chat.ts';
import { describeFailure, requestFailure } from '../matrix/request-failure.ts';
import { SendError } from '../matrix/send-once.ts';
import type { Document } from '../render/document.ts';
import { render } from '../render/render.ts';
import type { Inbox, InboxEntry } from '../store/inbox.ts';
import { afterFailedAttempt, replyKey } from './delivery.ts';
import { type GiveUpDependencies, giveUp } from './give-up.ts';
import * as replies from './replies.ts';

export type AnsweringDependencies = {
  config: BotConfig;
  inbox: Inbox;
  chat: Chat;
  /** The answer to a command, or null when it gets none. */
  compose: (entry: InboxEntry) => Promise<Composed | null>;
  giveUp: GiveUpDependencies;
  /** Runs background work, logging its failure (background.ts). */
  track: (what: string, work: Promise<void>) => void;
  log: Logger;
  now: () => number;
};

/** What to send for a command. */
export type Composed = {
  document: Document;
  /** In the clear even in an encrypted room: a notice without personal data for someone the bot cannot encrypt for. */
  unencrypted?: boolean;
  /** The event the answer threads on; by default the command itself. */
  replyTo?: string;
  /** Learns the answer's event ID (a job edits its progress into it). */
  sent?: (eventId: string) => void;
};

export type Answering = {
  /** Answers an accepted command; never throws. */
  answer(entry: InboxEntry): Promise<void>;
  /** Cancels the retries waiting for later. */
  stop(): void;
};

export function answering(deps: AnsweringDependencies): Answering {
  const { inbox, chat, log, now } = deps;
  const retries = new Set<NodeJS.Timeout>();
  let stopped = false;

  /** One reply per command, whatever happens: an answer too large for an event is replaced by a short one. */
  const sendReply = async (entry: InboxEntry, composed: Composed) => {
    const options = { key: replyKey(entry.eventId), replyTo: composed.replyTo ?? entry.eventId };
    const send = (document: Document) => (composed.unencrypted ? chat.sendUnencryptedNotice : chat.sendNotice)(entry.roomId, render(document), options);
    let eventId: string;
    try {
      eventId = await send(composed.document);
    } catch (error) {
      if (!(error instanceof SendError) || error.failure.kind !== 'too-large') throw error;
      log.warn('an answer was too large for one event; the user was sent a short note instead');
      eventId = await send(replies.answerTooLarge(deps.config));
    }
    composed.sent?.(eventId);
  };

  const answer = async (entry: InboxEntry): Promise<void> => {
    const attempt = inbox.startAttempt(entry.eventId);
    try {
      // An earlier attempt may have got through unseen (a crash, a lost answer), and the server may have forgotten its transaction.
      const sentBefore = attempt > 1 && (await chat.hasSentAfter(entry.roomId, entry.eventId, replyKey(entry.eventId)).catch(() => false));
      if (!sentBefore) {
        const composed = await deps.compose(entry);
        if (composed !== null) await sendReply(entry, composed);
      }
      inbox.markAnswered(entry.eventId, now());
    } catch (error) {
      const failure = error instanceof SendError ? error.failure : requestFailure(error);
      const next = afterFailedAttempt(attempt, failure);
      if (next.kind === 'give-up') return giveUp(deps.giveUp, entry, describeFailure(failure));
      log.warn(`answering a command failed (attempt ${attempt}): ${describeFailure(failure)}; trying again in ${Math.round(next.afterMs / 1000)} s`);
      const retry = setTimeout(() => {
        retries.delete(retry);
        if (!stopped) deps.track('answering a command', answer(entry));
      }, next.afterMs);
      retries.add(retry);
    }
  };

  return {
    answer,
    stop: () => {
      stopped = true;
      for (const retry of retries) clearTimeout(retry);
    },
  };
}
