// The code a requester sends back to confirm an erasure: six digits, valid for ten minutes,
// three tries (as Fides does). Only a hash of it is stored. Pure but for the random draw.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_TTL_MS = 10 * 60_000;
export const CODE_ATTEMPTS = 3;

export type Confirmation = { codeHash: string; expiresAt: number; attemptsLeft: number };

const hash = (requestId: string, code: string): string => createHash('sha256').update(`${requestId}:${code}`).digest('hex');

export function newConfirmation(requestId: string, now: number, random: (max: number) => number = randomInt): { code: string; confirmation: Confirmation } {
  const code = String(random(1_000_000)).padStart(6, '0');
  return { code, confirmation: { codeHash: hash(requestId, code), expiresAt: now + CODE_TTL_MS, attemptsLeft: CODE_ATTEMPTS } };
}

export type CodeCheck = { kind: 'confirmed' } | { kind: 'wrong'; confirmation: Confirmation } | { kind: 'exhausted' } | { kind: 'expired' };

export function checkCode(confirmation: Confirmation, requestId: string, attempt: string, now: number): CodeCheck {
  if (now > confirmation.expiresAt) return { kind: 'expired' };
  const expected = Buffer.from(confirmation.codeHash, 'hex');
  const given = Buffer.from(hash(requestId, attempt.trim()), 'hex');
  if (timingSafeEqual(expected, given)) return { kind: 'confirmed' };
  const attemptsLeft = confirmation.attemptsLeft - 1;
  return attemptsLeft <= 0 ? { kind: 'exhausted' } : { kind: 'wrong', confirmation: { ...confirmation, attemptsLeft } };
}
