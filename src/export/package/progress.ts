// What the package maker tells its callers while it works and when it refuses: its progress (which
// crosses from the export process to the bot, so it is checked there) and its one expected
// failure. Apart from export.ts so that the bot, which has packages made in a process of its own,
// never loads the package-making code and its zip library.
import { z } from 'zod';

const Count = z.number().int().nonnegative();
const DoneOf = z.object({ done: Count, total: Count });

/** How far an export has got (it crosses a process boundary: see export-process.ts). */
export const ExportProgress = z.object({
  phase: z.enum(['account', 'probe', 'rooms', 'writing', 'done']),
  /** The server's other rooms asked about (rooms forgotten, or nobody here is in any more). */
  probe: DoneOf.default({ done: 0, total: 0 }),
  rooms: DoneOf,
  /** Events the user sent, read so far. */
  events: Count,
  media: DoneOf.extend({ bytes: Count }),
  parts: DoneOf,
});
export type ExportProgress = z.infer<typeof ExportProgress>;

export class ExportError extends Error {
  override name = 'ExportError';
  readonly reason: 'no-such-user';
  constructor(reason: 'no-such-user', message: string) {
    super(message);
    this.reason = reason;
  }
}
