// The admin room's account of an erasure: every step with its counts, the read-back, the
// duration. "Verified" appears only when every read-back check passed. Pure.
import { bold, code, list, paragraph, type Document, type Inline } from '../render/document.ts';
import type { Request } from '../requests/request.ts';
import type { StepName } from './plan.ts';
import type { StepRecord } from './steps-store.ts';

const STEP_LABELS: Readonly<Record<StepName, string>> = {
  memberships: 'Rooms recorded',
  redact: 'Events redacted',
  media: 'Files deleted',
  threepids: 'Email addresses and phone numbers removed',
  announce: 'User told',
  deactivate: 'Account deactivated with erase',
  'leave-rooms': 'Rooms left and profile cleared (admin room command)',
  verify: 'Read back',
  forget: 'Bot’s own records pseudonymised',
};

function stepLine(name: StepName, record: StepRecord | undefined): Inline[] {
  if (record === undefined) return [`${STEP_LABELS[name]}: not done`];
  if (record.state !== 'done') return [`${STEP_LABELS[name]}: `, bold('interrupted, not finished')];
  const counts = Object.entries(record.result ?? {})
    .filter(([key]) => key !== 'failed')
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
  return [`${STEP_LABELS[name]}: done${counts === '' ? '' : ` (${counts})`}`];
}

export function erasureReport(request: Request, plan: readonly StepName[], records: readonly StepRecord[], outcome: { verified: boolean; problems: string[] }, now: number): Document {
  const byName = new Map(records.map((r) => [r.step as StepName, r]));
  const started = Math.min(...records.map((r) => r.startedAt), now);
  const minutes = Math.max(0, Math.round((now - started) / 60_000));
  return [
    paragraph(
      bold(`Erasure ${request.id} of `),
      code(request.userId),
      outcome.verified ? ': verified. Every read-back passed.' : ': NOT verified.',
      ` Duration: ${minutes} minute(s).`,
    ),
    list(plan.map((name) => stepLine(name, byName.get(name)))),
    ...(outcome.problems.length > 0 ? [paragraph(bold('What was not erased: '), outcome.problems.join('; '), '. The privacy contact was told.')] : []),
  ];
}
