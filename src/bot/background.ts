// Work the bot starts and does not wait for (answering a command, leaving a room): each is
// tracked so that stopping can wait for it, and its failure is logged, never thrown.
import { type Logger, redactForLog } from '../log.ts';

/** For the log: the first line of an error, without tokens or addresses. */
export const firstLine = (error: unknown): string => redactForLog(String(error instanceof Error ? error.message : error).split('\n')[0]!);

export class Background {
  readonly #pending = new Set<Promise<void>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Runs `work` in the background; `what` names it in the log line if it fails. */
  track(what: string, work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#log.warn(`${what} failed: ${firstLine(error)}`));
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** How much is still running. */
  get size(): number {
    return this.#pending.size;
  }

  /** Resolves once everything tracked so far has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}
