// The daily digest for the admin room: open requests by days left. Pure; null when there
// is nothing open, so that a quiet day stays quiet.
import type { Head } from '../audit/chain.ts';
import { bold, code, type Document, list, paragraph } from '../render/document.ts';
import { daysLeft } from '../requests/deadlines.ts';
import { KIND_LABELS } from '../requests/kinds.ts';
import { describeState } from '../requests/lifecycle.ts';
import type { Request } from '../requests/request.ts';

export function dailyDigest(open: readonly Request[], now: number, auditHead: Head | null): Document | null {
  if (open.length === 0) return null;
  const byUrgency = [...open].sort((a, b) => a.dueAt - b.dueAt);
  const overdue = byUrgency.filter((r) => r.dueAt < now).length;
  return [
    paragraph(bold(`Open privacy requests: ${open.length}`), overdue > 0 ? `, ${overdue} overdue` : '', '.'),
    list(
      byUrgency.map((r) => {
        const left = daysLeft(r.dueAt, now);
        return [code(r.id), ` ${KIND_LABELS[r.kind]}, ${describeState(r.state)}, `, left < 0 ? bold(`${-left} day(s) overdue`) : `${left} day(s) left`];
      }),
    ),
    // Posting the chain's head where the bot cannot rewrite it makes later tampering provable.
    ...(auditHead ? [paragraph('Audit trail head: entry ', code(String(auditHead.seq)), ', SHA-256 ', code(auditHead.hash), '.')] : []),
  ];
}

/** The UTC date the digest for `now` belongs to, once `hourUtc` has passed; null before. */
export function digestDay(now: number, hourUtc: number): string | null {
  const date = new Date(now);
  return date.getUTCHours() >= hourUtc ? date.toISOString().slice(0, 10) : null;
}
