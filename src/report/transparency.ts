// The transparency report: how many requests of each kind, how they ended, how long they
// took, how many were late. Pure, and without a single identity. The chat command and the
// command-line tool (src/cli/report.ts) both print this.
import { z } from 'zod';
import { bold, type Document, list, paragraph } from '../render/document.ts';
import { DAY } from '../requests/deadlines.ts';
import { REQUEST_KINDS, type Request, type RequestKind } from '../requests/request.ts';

const OUTCOMES = ['completed', 'denied', 'cancelled', 'failed', 'open'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const TransparencyReport = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  byKind: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** Receipt to completion, in days, over completed requests; null when none completed. */
  medianDaysToComplete: z.number().nullable(),
  worstDaysToComplete: z.number().nullable(),
  /** Answered after their due date, or still open past it. */
  overdue: z.number().int(),
  extended: z.number().int(),
});
export type TransparencyReport = z.infer<typeof TransparencyReport>;

const outcomeOf = (r: Request): Outcome =>
  r.state === 'completed' || r.state === 'denied' || r.state === 'cancelled' || r.state === 'failed' ? r.state : 'open';

const round1 = (n: number) => Math.round(n * 10) / 10;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Over requests received in [from, to), as of `now`. Dates are UTC days, `to` inclusive. */
export function transparencyReport(requests: readonly Request[], range: { from: string; to: string }, now: number): TransparencyReport {
  const byKind: Record<string, Record<string, number>> = {};
  for (const kind of REQUEST_KINDS) byKind[kind] = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of requests) byKind[r.kind]![outcomeOf(r)]! += 1;
  const durations = requests.filter((r) => r.state === 'completed' && r.closedAt !== null).map((r) => (r.closedAt! - r.receivedAt) / DAY);
  const med = median(durations);
  return {
    from: range.from,
    to: range.to,
    total: requests.length,
    byKind,
    medianDaysToComplete: med === null ? null : round1(med),
    worstDaysToComplete: durations.length === 0 ? null : round1(Math.max(...durations)),
    overdue: requests.filter((r) => (r.closedAt ?? now) > r.dueAt).length,
    extended: requests.filter((r) => r.extendedAt !== null).length,
  };
}

const KIND_NAMES: Readonly<Record<RequestKind, string>> = {
  access: 'Access',
  export: 'Export',
  erasure: 'Erasure',
  correction: 'Correction',
  objection: 'Objection',
  contact: 'Other contact',
};

export function reportDocument(report: TransparencyReport): Document {
  const days = (n: number | null) => (n === null ? 'none completed' : `${n} day(s)`);
  return [
    paragraph(bold(`Transparency report, ${report.from} to ${report.to}`), `: ${report.total} request(s).`),
    list(
      REQUEST_KINDS.map((kind) => {
        const c = report.byKind[kind]!;
        return [`${KIND_NAMES[kind]}: ${OUTCOMES.reduce((n, o) => n + (c[o] ?? 0), 0)} (${OUTCOMES.map((o) => `${c[o] ?? 0} ${o}`).join(', ')})`];
      }),
    ),
    paragraph(
      `Time to completion: median ${days(report.medianDaysToComplete)}, worst ${days(report.worstDaysToComplete)}. Late: ${report.overdue}. Extended: ${report.extended}.`,
    ),
  ];
}

/** Reads "YYYY-MM-DD" as the start of that UTC day; null when it is not a date. */
export function parseDay(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const at = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text ? null : at;
}
