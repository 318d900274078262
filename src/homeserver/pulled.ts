// Turns a producer that pushes pages (and may hold something while it runs, such as a
// login-as token that must be logged out at the end) into an async iterable that the consumer
// pulls from. The producer may fetch one page ahead while the consumer handles the current
// one, never more, so memory stays at two pages whatever the history's length. When the
// consumer stops early, the producer's next emit throws, and the iteration ends only after
// the producer has cleaned up.

/** Thrown into a producer whose consumer has stopped listening. */
export class ConsumerStopped extends Error {
  override name = 'ConsumerStopped';
}

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void };

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type Slot<T> = { kind: 'item'; item: T } | { kind: 'done' } | { kind: 'error'; error: unknown };

export async function* pulled<T>(produce: (emit: (item: T) => Promise<void>) => Promise<void>): AsyncGenerator<T, void, undefined> {
  let slot = deferred<Slot<T>>();
  let taken = deferred<void>();
  let stopped = false;
  const emit = async (item: T): Promise<void> => {
    if (stopped) throw new ConsumerStopped();
    slot.resolve({ kind: 'item', item });
    await taken.promise;
    if (stopped) throw new ConsumerStopped();
  };
  const running = produce(emit).then(
    () => slot.resolve({ kind: 'done' }),
    (error: unknown) => slot.resolve({ kind: 'error', error }),
  );
  try {
    for (;;) {
      const next = await slot.promise;
      if (next.kind === 'done') return;
      if (next.kind === 'error') {
        if (next.error instanceof ConsumerStopped) return;
        throw next.error;
      }
      slot = deferred();
      const handed = taken;
      taken = deferred();
      // Let the producer fetch the next page while this one is handled.
      handed.resolve();
      yield next.item;
    }
  } finally {
    stopped = true;
    taken.resolve();
    await running;
  }
}
