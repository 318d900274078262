// matrix-bot-sdk's sync, with the two things it lacks for "no command lost": a timeline
// limit of our own (sent inline, see timeline-gaps.ts), and a note of every gap a
// limited timeline leaves, taken before the SDK saves the new sync position. How the
// sync request is reached inside the SDK: patches/matrix-bot-sdk.ts.
import type { MatrixClient } from 'matrix-bot-sdk';
import { syncThrough } from '../patches/matrix-bot-sdk.ts';
import { type Gap, gapsIn, SYNC_FILTER } from './timeline-gaps.ts';

/**
 * `onGaps` runs synchronously with the gaps of each sync, before the SDK handles its events
 * and moves its sync position on: once it returns, the gaps must be on disk.
 */
export function syncWithoutGaps(client: MatrixClient, onGaps: (gaps: Gap[]) => void): void {
  syncThrough(client, {
    filter: SYNC_FILTER,
    inspect: (response, since) => {
      const gaps = gapsIn(response, since);
      if (gaps.length > 0) onGaps(gaps);
    },
  });
}
