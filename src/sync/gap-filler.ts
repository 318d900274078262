// Reads the gaps a sync left, in the background: page by page, forwards, each event
// handed over as if the sync had carried it, progress saved after every page. One page
// at a time, beside the live sync: a room with a huge backlog slows nothing else down.
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../log.ts';
import { requestFailure } from '../matrix/request-failure.ts';
import type { SyncGaps } from '../store/sync-gaps.ts';
import { GAP_EVENT_FILTER, GAP_PAGE_SIZE, MessagesPage, nextFrom } from './timeline-gaps.ts';

/** Waits after a failed page while the server is unavailable, doubling up to the last. */
const BACKOFF_MS: readonly number[] = [1000, 5000, 30_000, 120_000];

export type GapFillerOptions = {
  client: MatrixClient;
  gaps: SyncGaps;
  /** Handles one event of a gap exactly like a live one; resolves once it was taken in. */
  deliver: (roomId: string, event: unknown) => Promise<void>;
  log: Logger;
};

export class GapFiller {
  readonly #options: GapFillerOptions;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #sleep: { timer: NodeJS.Timeout; wake: () => void } | null = null;

  constructor(options: GapFillerOptions) {
    this.#options = options;
  }

  /** Starts reading the open gaps, unless already at it (then it looks again when done). */
  wake(): void {
    if (this.#stopped) return;
    this.#again = true;
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
      // A wake-up that came while the last round was ending.
      if (this.#again) this.wake();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#sleep) {
      clearTimeout(this.#sleep.timer);
      this.#sleep.wake();
    }
    await this.#running;
  }

  /** Resolves once every gap known so far is read (for tests and a clean stop). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#again && !this.#stopped) {
      this.#again = false;
      for (const gap of this.#options.gaps.open()) {
        if (this.#stopped) return;
        try {
          await this.#read(gap);
          failures = 0;
        } catch (error) {
          const failure = requestFailure(error);
          if (failure.kind === 'refused' || failure.kind === 'too-large') {
            // 403: the bot may not read the room (never joined, or forgot it); 400: a token the server does not know.
            this.#options.log.warn(`could not read a gap in room ${gap.roomId} (${failure.kind === 'refused' ? failure.status : 413}); it is dropped`);
            this.#options.gaps.close(gap.id);
            continue;
          }
          const wait = failure.kind === 'rate-limited' ? failure.waitMs : BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]!;
          this.#options.log.warn(`reading a gap in room ${gap.roomId} failed; trying again in ${Math.round(wait / 1000)} s`);
          this.#again = true;
          await this.#pause(wait);
          break;
        }
      }
    }
  }

  /** Reads one gap to its end, saving progress after each page. */
  async #read(gap: { id: number; roomId: string; from: string; to: string | null }): Promise<void> {
    const { client, gaps, deliver } = this.#options;
    let from: string | null = gap.from;
    while (from !== null && !this.#stopped) {
      const query: Record<string, unknown> = { dir: 'f', from, limit: GAP_PAGE_SIZE, filter: JSON.stringify(GAP_EVENT_FILTER) };
      if (gap.to !== null) query['to'] = gap.to;
      const page = MessagesPage.parse(await client.doRequest('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(gap.roomId)}/messages`, query));
      for (const event of page.chunk) await deliver(gap.roomId, event);
      from = nextFrom(page, from);
      if (from === null) gaps.close(gap.id);
      else gaps.advance(gap.id, from);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#sleep = null;
        resolve();
      };
      this.#sleep = { timer: setTimeout(wake, ms), wake };
    });
  }
}
