// matrix-bot-sdk's sync, with the two things it lacks for "no command lost": a timeline
// limit of our own (sent inline, see timeline-gaps.ts), and a note of every gap a
// limited timeline leaves, taken before the SDK saves the new sync position.
import type { MatrixClient } from 'matrix-bot-sdk';
import { gapsIn, SYNC_FILTER, type Gap } from './timeline-gaps.ts';

/** matrix-bot-sdk's own request timeouts: a long-poll, or a first sync that may be big. */
const INCREMENTAL_SYNC_TIMEOUT_MS = 40_000;
const INITIAL_SYNC_TIMEOUT_MS = 600_000;

/**
 * Replaces the client's doSync (the one request of its sync loop). `onGaps` runs
 * synchronously with the gaps of each sync, before the SDK handles its events and
 * moves its sync position on: once it returns, the gaps must be on disk.
 */
export function syncWithoutGaps(client: MatrixClient, onGaps: (gaps: Gap[]) => void): void {
  const doSync = async (since: string | null): Promise<unknown> => {
    const query: Record<string, unknown> = { full_state: false, timeout: Math.max(0, client.syncingTimeout), filter: JSON.stringify(SYNC_FILTER) };
    if (since) query['since'] = since;
    if (client.syncingPresence) query['presence'] = client.syncingPresence;
    const response: unknown = await client.doRequest('GET', '/_matrix/client/v3/sync', query, null, since ? INCREMENTAL_SYNC_TIMEOUT_MS : INITIAL_SYNC_TIMEOUT_MS);
    const gaps = gapsIn(response, since || null);
    if (gaps.length > 0) onGaps(gaps);
    return response;
  };
  Reflect.set(client, 'doSync', doSync);
}
