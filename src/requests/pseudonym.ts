// Keyed pseudonyms for people the bot must stop naming (HMAC-SHA-256). Without the key,
// which lives only in the environment, a pseudonym cannot be turned back into a Matrix ID
// by trying likely IDs; with it, the same person always gets the same pseudonym, so counts
// per person stay possible.
import { createHmac } from 'node:crypto';

const PSEUDONYM_PREFIX = 'pseudonym:';

export type Pseudonymise = (identity: string) => string;

export function pseudonymiser(key: string): Pseudonymise {
  return (identity) => PSEUDONYM_PREFIX + createHmac('sha256', key).update(identity).digest('hex').slice(0, 32);
}
